"""``python -m deploy``: the scale-out topology on this machine, for a demo or a soak.

Expects a migrated PostgreSQL database with its data (``make run-scaled`` prepares one) and a
trained model in models/; prints "ready" with the URLs when haproxy sees every instance up;
Ctrl-C stops everything. The workers send e-mail to ``--smtp HOST:PORT`` (default: the
``FRONTDOOR_SMTP_HOST`` settings of the environment or ``.env``).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

from deploy.topology import KINDS, Topology


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--instances", type=int, default=2, help="of each kind (default 2)")
    parser.add_argument("--port", type=int, default=8000, help="the public port (default 8000)")
    parser.add_argument("--smtp", default="", help="HOST:PORT of the workers' SMTP server")
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgresql"):
        parser.error("--database-url (or DATABASE_URL) must be a PostgreSQL URL")
    if not 1 <= args.instances <= 8:
        parser.error("--instances must be 1 to 8")
    smtp = None
    if args.smtp:
        host, _, port = args.smtp.rpartition(":")
        if not host or not port.isdigit():
            parser.error("--smtp must be HOST:PORT")
        smtp = (host, int(port))
    workdir = Path(tempfile.mkdtemp(prefix="frontdoor-topology-"))
    topology = Topology(args.database_url, workdir, args.instances, args.port, smtp)
    topology.plan()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        kinds = ", ".join(KINDS)
        print(f"topology: starting {args.instances} of each of {kinds} (logs: {workdir})")
        topology.start()
        print(
            f"ready: {topology.url}/ (haproxy; statistics: "
            f"http://127.0.0.1:{topology.stats_port}/stats)",
            flush=True,
        )
        while all(i.running for i in topology.members.values()):
            time.sleep(1)
        stopped = [i.name for i in topology.members.values() if not i.running]
        print(f"topology: {', '.join(stopped)} stopped; see {workdir}/logs", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except RuntimeError as exc:
        print(f"topology: {exc}", file=sys.stderr)
        return 1
    finally:
        topology.stop()


if __name__ == "__main__":
    sys.exit(main())
