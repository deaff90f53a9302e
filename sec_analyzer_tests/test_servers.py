"""The test servers themselves: each answers a real client."""

import boto3
import psycopg
import pymongo


def test_postgres_database_is_real(postgres_url: str) -> None:
    with psycopg.connect(postgres_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        assert conn.execute("select 1 + 1").fetchone() == (2,)


def test_s3_endpoint_is_real(s3_endpoint_url: str) -> None:
    s3 = boto3.client(
        "s3", endpoint_url=s3_endpoint_url, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )
    s3.create_bucket(Bucket="probe-bucket")
    s3.put_object(Bucket="probe-bucket", Key="k", Body=b"v")
    assert s3.get_object(Bucket="probe-bucket", Key="k")["Body"].read() == b"v"


def test_mongodb_is_real(mongodb_uri: str) -> None:
    client = pymongo.MongoClient(mongodb_uri)
    collection = client["probe"]["docs"]
    collection.create_index("key", unique=True)
    collection.insert_one({"key": 1})
    try:
        collection.insert_one({"key": 1})
        raise AssertionError("duplicate key accepted")
    except pymongo.errors.DuplicateKeyError:
        pass
