"""Signed Twilio webhooks at fixed rates against gunicorn, with 10 % repeated deliveries.

    .venv/bin/python benchmarks/sms.py        (or: make bench-sms)

Open loop: requests leave on schedule whatever the server does, and latency is measured
from the scheduled time, so a slow server cannot hide its queue. Target: p99 <= 100 ms at
200 messages/s, and stored messages == distinct message ids.
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import random
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from twilio.request_validator import RequestValidator  # noqa: E402

from benchmarks.common import app_on, gunicorn, throwaway_database  # noqa: E402

TOKEN = "benchmark-twilio-token"
PUBLIC = "https://mapper.example.org"
BODIES = [
    "Boys kept on a boat in Poipet",
    "HELP locked in a house near Siem Reap",
    "hay niños trabajando en Medellín",
    "មានកុមារសុំទាននៅភ្នំពេញ",
    "workers locked in at 11.556, 104.928",
]


def signed_requests(count: int, duplicate_share: float) -> tuple[list[tuple[bytes, str]], int]:
    """Form bodies and signatures; some repeat an earlier message id (a gateway retry)."""
    validator = RequestValidator(TOKEN)
    made: list[tuple[bytes, str]] = []
    distinct = 0
    for n in range(count):
        if made and random.random() < duplicate_share:
            made.append(random.choice(made))
            continue
        params = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": "AC1",
            "From": f"+8551{random.randint(2000000, 9999999)}",
            "To": "+15550001111",
            "Body": random.choice(BODIES) + f" #{n}",
            "NumMedia": "0",
        }
        made.append(
            (
                urlencode(params).encode(),
                validator.compute_signature(PUBLIC + "/sms/twilio", params),
            )
        )
        distinct += 1
    return made, distinct


def open_loop(port: int, rate: float, seconds: float, requests: list) -> dict:
    jobs: queue.Queue = queue.Queue()
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while (job := jobs.get()) is not None:
            scheduled, (body, signature) = job
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                connection.request(
                    "POST",
                    "/sms/twilio",
                    body=body,
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-Twilio-Signature": signature,
                    },
                )
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            with lock:
                if ok:
                    latencies.append((time.perf_counter() - scheduled) * 1000)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(64)]
    for thread in threads:
        thread.start()
    began = time.perf_counter() + 0.2
    total = int(rate * seconds)
    for n in range(total):
        jobs.put((began + n / rate, requests[n]))
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return (
            ordered[min(len(ordered) - 1, int(p / 100 * (len(ordered) - 1)))]
            if ordered
            else float("nan")
        )

    return {
        "rate": rate,
        "accepted_per_s": len(latencies) / max(elapsed, seconds),
        "p50_ms": pct(50),
        "p99_ms": pct(99),
        "errors": errors[0],
    }


def stored_messages(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM inbound_messages")).scalar()
    engine.dispose()
    return count


def load_gazetteer(url: str) -> None:
    from mapper.extensions import db
    from mapper.sample import load_help_services, load_places

    with app_on(url).app_context():
        load_places()
        load_help_services()
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="50,100,200,300")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--duplicates", type=float, default=0.10)
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    results = []
    with throwaway_database() as url:
        load_gazetteer(url)
        with gunicorn(url, MAPPER_TWILIO_AUTH_TOKEN=TOKEN, MAPPER_PUBLIC_URL=PUBLIC) as base:
            port = int(base.rsplit(":", 1)[1])
            warm_up, expected = signed_requests(100, 0.0)
            open_loop(port, 50, 2, warm_up)  # caches, pools and prepared statements

            for rate in rates:
                requests, distinct = signed_requests(int(rate * args.seconds), args.duplicates)
                expected += distinct
                result = open_loop(port, rate, args.seconds, requests)
                result["stored"] = stored_messages(url)
                result["distinct_ids"] = expected
                results.append(result)
                print(
                    f"{rate:5.0f} msg/s offered: {result['accepted_per_s']:6.1f} accepted/s, "
                    f"p50 {result['p50_ms']:6.1f} ms, p99 {result['p99_ms']:7.1f} ms, "
                    f"errors {result['errors']}, stored {result['stored']} of "
                    f"{expected} distinct ids"
                )
    at_200 = next((r for r in results if r["rate"] == 200), None)
    if at_200:
        print(
            f"target: p99 <= 100 ms at 200 msg/s -> {at_200['p99_ms']:.1f} ms; "
            f"stored == distinct: {at_200['stored'] == at_200['distinct_ids']}"
        )
    print(
        json.dumps(
            [{k: round(v, 2) if isinstance(v, float) else v for k, v in r.items()} for r in results]
        )
    )


if __name__ == "__main__":
    main()
