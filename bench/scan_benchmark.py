"""Benchmark: how long the malware scan of one 10 MB PDF upload takes (a script, not a test).

Builds a 10 MB PDF (pages of Flate-compressed text and images, so clamd's PDF
parser inflates and scans every stream), then times the product's own scan
(`intake.scanning.file_scan`: the INSTREAM round trip to clamd through
clamav-client) and the whole upload check that every send runs before storing
(`intake.uploads.files_check`: type by content, SHA-256, scan), and prints
p50/p95.

    .venv/bin/python bench/scan_benchmark.py                       # the tests' own clamd
    .venv/bin/python bench/scan_benchmark.py --runs 50 --size-mb 10
    .venv/bin/python bench/scan_benchmark.py --scanner clamd://127.0.0.1:3310   # a production-like clamd

Without --scanner it starts the same throwaway clamd as the tests
(testing/clamd_server.py: Debian's clamav-daemon with a one-signature
database). A clamd with the full signature databases spends more time
matching; run with --scanner against such a daemon for that figure.
"""

import argparse
import os
import statistics
import sys
import time
import zlib
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def pdf_of_size(target_bytes, seed=b"iset"):
    """A well-formed PDF of about `target_bytes`: each page has a compressed text
    stream and a compressed 8-bit image of pseudo-random (incompressible) pixels."""
    import hashlib

    objects = []

    def add(body):
        objects.append(body)
        return len(objects)

    catalog = add(None)
    pages = add(None)
    page_ids = []
    image_bytes = 512 * 1024
    counter = 0
    while sum(len(body) for body in objects if body) < target_bytes - image_bytes:
        noise = bytearray()
        while len(noise) < image_bytes:
            counter += 1
            noise += hashlib.sha256(seed + counter.to_bytes(8, "big")).digest()
        image = zlib.compress(bytes(noise[:image_bytes]), 1)
        image_id = add(
            b"<< /Type /XObject /Subtype /Image /Width 1024 /Height 512 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % len(image) + image + b"\nendstream"
        )
        text = b"BT /F1 11 Tf 72 720 Td (Pay stub, page %d: net income 1 234,56 $) Tj ET\n" % len(page_ids) * 40
        text += b"q 468 0 0 234 72 400 cm /Im1 Do Q\n"
        content = zlib.compress(text)
        content_id = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream")
        page_ids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                b"/Resources << /XObject << /Im1 %d 0 R >> /Font << /F1 << /Type /Font /Subtype /Type1 "
                b"/BaseFont /Helvetica >> >> >> >>" % (pages, content_id, image_id)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages
    kids = b" ".join(b"%d 0 R" % page for page in page_ids)
    objects[pages - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_ids))

    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    return bytes(out)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report(label, seconds, size):
    ms = [s * 1000 for s in seconds]
    print(
        f"{label:<34} p50 {percentile(ms, 0.5):7.1f} ms   p95 {percentile(ms, 0.95):7.1f} ms   "
        f"min {min(ms):7.1f} ms   max {max(ms):7.1f} ms   ({size / 1e6 / statistics.median(seconds):.0f} MB/s at p50)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scanner", help="MALWARE_SCANNER of a running clamd (default: start the tests' own)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--size-mb", type=float, default=10.0, help="PDF size in MB (the product's limit is 10 MiB)")
    args = parser.parse_args()

    server = None
    if args.scanner is None:
        from testing.clamd_server import ThrowawayClamd, clamd_executable

        if not clamd_executable():
            sys.exit("clamd is not installed: run scripts/system-packages.sh clamav")
        server = ThrowawayClamd(clamd_executable())
        server.start()
        args.scanner = server.url
    os.environ["MALWARE_SCANNER"] = args.scanner
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iset_messaging.settings_test")
    os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.files.uploadedfile import TemporaryUploadedFile

        from intake.scanning import file_scan
        from intake.uploads import files_check

        target = min(int(args.size_mb * 1_000_000), settings.ATTACHMENT_MAX_BYTES)
        content = pdf_of_size(target)
        # As Django hands over an upload of this size: a temporary file on disk.
        upload = TemporaryUploadedFile("statement.pdf", "application/pdf", len(content), None)
        upload.write(content)
        upload.seek(0)
        print(f"scanner {args.scanner}; PDF {len(content) / 1e6:.2f} MB ({len(content):,} bytes); {args.runs} runs each")

        file_scan(upload, name="statement.pdf")  # warm-up: connection set-up, page cache
        scans = []
        for _ in range(args.runs):
            started = time.perf_counter()
            file_scan(upload, name="statement.pdf")
            scans.append(time.perf_counter() - started)
        checks = []
        for _ in range(args.runs):
            started = time.perf_counter()
            files_check([upload])
            checks.append(time.perf_counter() - started)
        report("scan (file_scan, clamd INSTREAM)", scans, len(content))
        report("upload check (files_check)", checks, len(content))
        upload.close()
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
