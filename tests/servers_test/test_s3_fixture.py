"""The s3_endpoint fixture is a real S3 API over HTTP (moto's server), usable by plain boto3."""

from __future__ import annotations

import boto3
import requests


def test_put_and_get_over_http(s3_endpoint: str) -> None:
    s3 = boto3.client("s3", endpoint_url=s3_endpoint)
    s3.create_bucket(Bucket="fixture-probe")
    s3.put_object(Bucket="fixture-probe", Key="runs/a/raw.jsonl", Body=b'{"id": "x"}\n')
    assert s3.get_object(Bucket="fixture-probe", Key="runs/a/raw.jsonl")["Body"].read() == b'{"id": "x"}\n'
    listed = s3.list_objects_v2(Bucket="fixture-probe", Prefix="runs/")
    assert [o["Key"] for o in listed["Contents"]] == ["runs/a/raw.jsonl"]
    # the same object over plain HTTP: it really is a server, not an in-process mock
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "fixture-probe", "Key": "runs/a/raw.jsonl"})
    assert url.startswith(s3_endpoint)
    resp = requests.get(url, timeout=10)
    assert (resp.status_code, resp.content) == (200, b'{"id": "x"}\n')
