"""Invoices and disputes in the synthesized template: the invoice job may write invoices (its bucket, its tables)
and only read the ledger; the API functions that hand out links to invoices may only read them; the operators'
API may decide disputes."""

import pytest

pytestmark = pytest.mark.xdist_group("cdk")

_WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


def _grants(synth, function: str) -> dict[str, set[str]]:
    return synth.grants(synth.function_role(synth.function_id(function)))


def _bucket(synth) -> str:
    return next(k for k in synth.resources("AWS::S3::Bucket") if k.startswith("DataInvoicesBucket"))


def test_the_invoice_job_writes_invoices_and_reads_the_ledger(synth):
    job = _grants(synth, "invoice-job")
    assert "s3:PutObject" in job[_bucket(synth)]
    assert _WRITES & job[synth.table_id("invoices")] and _WRITES & job[synth.table_id("invoice-counters")]
    assert "dynamodb:GetItem" in job[synth.table_id("ledger")]
    assert not _WRITES & job[synth.table_id("ledger")]
    assert synth.table_id("payments") not in job


@pytest.mark.parametrize("function", ["client-api", "auth-api"])
def test_functions_handing_out_links_only_read_invoices(synth, function):
    granted = _grants(synth, function)
    assert "s3:GetObject*" in granted[_bucket(synth)] or "s3:GetObject" in granted[_bucket(synth)]
    assert not any(action.startswith(("s3:Put", "s3:Delete")) for action in granted[_bucket(synth)])
    assert not _WRITES & granted[synth.table_id("invoices")]
    assert synth.table_id("invoice-counters") not in granted


def test_completions_may_start_the_invoice_job(synth):
    for function in ("consensus", "launcher", "client-api", "operator-api"):
        assert _grants(synth, function)[synth.function_id("invoice-job")] == {"lambda:InvokeFunction"}, function


def test_operators_decide_disputes(synth):
    operator = _grants(synth, "operator-api")
    assert _WRITES & operator[synth.table_id("disputes")]
    assert "dynamodb:GetItem" in operator[synth.table_id("ledger")]
