"""Money: the published prices, the balance ledger, estimates and the confirm that pre-charges a project."""
