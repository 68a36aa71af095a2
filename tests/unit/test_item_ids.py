"""Item ids sort by upload time, then upload order, so a retrieve time window is one key range."""

import re

from bytebridge.ids import item_id_range, new_item_id


def test_item_ids_sort_by_time_then_position():
    ids = [new_item_id(1_700_000_000_000, 1), new_item_id(1_700_000_000_000, 0), new_item_id(1_699_999_999_999, 9)]

    assert sorted(ids) == [ids[2], ids[1], ids[0]]
    assert all(re.fullmatch(r"i\d{13}\d{4}[A-Za-z0-9]{6}", item_id) for item_id in ids)


def test_a_range_covers_its_inclusive_bounds_and_nothing_else():
    low, high = item_id_range(1_000, 2_000)

    inside = [new_item_id(1_000), new_item_id(1_500, 999), new_item_id(2_000, 9_999)]
    outside = [new_item_id(999, 9_999), new_item_id(2_001)]
    assert all(low <= item_id <= high for item_id in inside)
    assert not any(low <= item_id <= high for item_id in outside)


def test_early_times_are_zero_padded_so_they_sort_before_later_ones():
    assert new_item_id(5) < new_item_id(40) < new_item_id(1_700_000_000_000)
