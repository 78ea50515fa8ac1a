"""Time the delivery of 1 000 digests through a server that closes every 50 messages (421)
against a clean server (issue 18: the reconnections must cost under 20 %).

    python benchmarks/smtp_faults.py [--messages 1000] [--every 50] [--repeat 3]

Both runs use the same real pieces: a SQLite file with the messages pending in its outbox (one
claim and one record per message, each its own transaction, as `outbox deliver` does), the SMTP
transport, and an aiosmtpd server on loopback (tests/smtp_server.py; install the test
dependencies). It prints the median time of each and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/smtp_server.py

from dossiers.deadlines.timeline import Status, Step  # noqa: E402
from dossiers.mail.compose import build_message, new_message_id  # noqa: E402
from dossiers.mail.transports import SmtpTransport  # noqa: E402
from dossiers.reminders.selection import Digest, DossierItems, Item, Person, Reason  # noqa: E402
from dossiers.services.delivery import send_pending  # noqa: E402
from dossiers.settings import Settings, SmtpSettings  # noqa: E402
from dossiers.store.database import open_engine, upgrade  # noqa: E402
from dossiers.store.models import OutboxMessage  # noqa: E402
from tests.smtp_server import SmtpServer  # noqa: E402

DAY = date(2027, 1, 13)
NOW = datetime(2027, 1, 13, 7, 0)
SENDER = "Suivi des dossiers <dossiers@agence-exemple.fr>"


def digest_for(number: int) -> Digest:
    """A digest of three late steps, the size of a real one."""
    step = Step("drf", "DRF", date(2026, 11, 11), date(2027, 1, 7), None, Status.OVERDUE,
                "R-DRF-WINDOW", -6)
    groups = tuple(DossierItems(number * 10 + k, f"LYO-CDPI-{number}-{k}", f"Salarié {k}",
                                "cdpi", f"Personne {number}", (Item(step, Reason.OVERDUE, 6),))
                   for k in range(3))
    return Digest(Person(f"p{number}@example.fr", f"Personne {number}"), groups)


def fill(url: str, count: int) -> None:
    engine = open_engine(url)
    upgrade(engine)
    rows = []
    for number in range(count):
        message_id = new_message_id(SENDER, DAY)
        message = build_message(digest_for(number), DAY, SENDER, message_id, NOW)
        rows.append({"day": DAY, "recipient": f"p{number}@example.fr",
                     "recipient_name": f"Personne {number}", "message_id": message_id,
                     "subject": str(message["Subject"]), "content": message.as_string(),
                     "status": "pending", "attempts": 0, "created_at": NOW})
    with engine.begin() as connection:
        connection.execute(insert(OutboxMessage), rows)
    engine.dispose()


def one_run(folder: Path, count: int, every: int | None) -> float:
    url = f"sqlite:///{folder / f'outbox-{time.monotonic_ns()}.db'}"
    fill(url, count)
    server = SmtpServer()
    server.handler.close_after = every
    server.start()
    try:
        settings = Settings(smtp=SmtpSettings(host="127.0.0.1", port=server.port,
                                              security="none", timeout=30))
        engine = open_engine(url)
        started = time.perf_counter()
        report = send_pending(engine, SmtpTransport(settings.smtp), settings, lambda: NOW)
        took = time.perf_counter() - started
        engine.dispose()
    finally:
        server.stop()
    assert report.sent == count and report.pending == 0, report
    assert len(server.outbox) == count
    if every:
        assert report.reconnects == (count - 1) // every, report.reconnects
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000)
    parser.add_argument("--every", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        clean, faulty = [], []
        for _ in range(args.repeat):  # interleaved: a busy machine weighs on both alike
            clean.append(one_run(Path(folder), args.messages, None))
            faulty.append(one_run(Path(folder), args.messages, args.every))
    clean_time, faulty_time = statistics.median(clean), statistics.median(faulty)
    print(f"{args.messages} digests, clean server:              {clean_time:7.2f} s")
    print(f"{args.messages} digests, 421 every {args.every} messages:     {faulty_time:7.2f} s")
    print(f"ratio: {faulty_time / clean_time:.2f}x (target < 1.20x)")


if __name__ == "__main__":
    main()
