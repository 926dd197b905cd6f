"""How evidence goes up to S3-compatible storage (settings' ``STORAGES["evidence"]``)."""

PART_BYTES = 8 * 1024 * 1024


def transfer_config():
    """Uploads in 8 MB parts, one after the other in the request's own thread.

    boto3 reads each part of a file object into memory; with its default worker threads
    the parts in flight and each thread's allocator arena kept ~100 MB more in the server
    process for a 200 MB file (growing with the file), in one thread the memory stays
    flat (+0.3 MB) and on a city's own network it is no slower. Measured by
    benchmarks/evidence_upload.py."""
    from boto3.s3.transfer import TransferConfig

    return TransferConfig(
        multipart_threshold=PART_BYTES, multipart_chunksize=PART_BYTES, max_concurrency=1, use_threads=False
    )
