"""0trace webhook receiver: Python 3.8+, standard library only (http.server + hmac).

    WEBHOOK_SECRET=... PORT=8080 python3 receiver.py

The five checks of the quickstart (step 4), plus deduplication by event id.
"""

import hashlib
import hmac
import json
import os
import queue
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ.get("WEBHOOK_SECRET", "").encode()
PORT = int(os.environ.get("PORT", "8080"))
if not SECRET:
    sys.exit("WEBHOOK_SECRET is required (the webhookSecret shown once at onboarding or rotation)")

MAX_BODY = 1024 * 1024  # events are a few KB; refuse anything absurd before reading it
MAX_AGE_S = 300  # 5 minutes old
MAX_AHEAD_S = 60  # 1 minute in the future (clock skew)

# Event ids already processed. The timestamp header is NOT signed: anyone who captured one delivery can
# resend it with a fresh timestamp and pass the 5-minute check. Only this dedupe stops a deliberate replay
# (the id is inside the signed body, so it cannot be changed). The platform's own retries and cabinet
# replays reuse the id too. A scaffold keeps them in memory; use your database instead: a unique index on
# the event id, inserted in the same transaction as your processing, kept for good.
processed = set()
processed_lock = threading.Lock()  # the server answers on several threads

# Slow work happens here, after the 2xx has been sent.
work = queue.Queue()


def handle(event):
    """Your business logic, e.g. update your order from event["data"]["status"] (trust data.updatedAt)."""


def worker():
    while True:
        handle(work.get())


def same_hex(expected, given):
    """Constant-time comparison of two hex strings (the length of a MAC is not a secret)."""
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode("latin-1"))


def signed_with_our_secret(raw, headers):
    """X-Partner-Webhook-Sign is made with the current secret. During a webhook-secret rotation the previous
    secret also signs, in X-Partner-Webhook-Sign-Previous (comma-separated), so a receiver still holding the
    old secret keeps verifying until the overlap ends."""
    expected = hmac.new(SECRET, raw, hashlib.sha256).hexdigest()  # 2. HMAC-SHA256, hex
    candidates = [headers.get("X-Partner-Webhook-Sign", "")]
    candidates += headers.get("X-Partner-Webhook-Sign-Previous", "").split(",")
    match = False
    for candidate in candidates:  # 3. constant time, every candidate
        match = same_hex(expected, candidate) or match
    return match


def fresh(timestamp_header):
    """4. Seconds since the epoch within [now - 5 min, now + 1 min]."""
    text = (timestamp_header or "").strip()
    if not text.isdigit() or len(text) > 12:
        return False
    age = int(time.time()) - int(text)
    return -MAX_AHEAD_S <= age <= MAX_AGE_S


log_lock = threading.Lock()


def log(*words):
    """One whole line per event: handlers run in threads, and print() writes the text and its newline apart."""
    with log_lock:
        sys.stdout.write(" ".join(str(w) for w in words) + "\n")
        sys.stdout.flush()


class Receiver(BaseHTTPRequestHandler):
    timeout = 10  # 5. answer within 10 s: a slow client cannot hold a thread longer

    def do_POST(self):
        length = self.headers.get("Content-Length", "")
        if not length.isdigit():
            return self.answer(411, "Content-Length required")
        if int(length) > MAX_BODY:
            self.close_connection = True
            return self.answer(413, "body too large")
        raw = self.rfile.read(int(length))  # 1. the exact bytes, never a re-serialised object
        if not signed_with_our_secret(raw, self.headers):
            return self.answer(401, "bad signature")
        if not fresh(self.headers.get("X-Partner-Webhook-Timestamp")):
            return self.answer(400, "stale timestamp")
        try:
            event = json.loads(raw)
            event_id = str(event["id"])
        except (ValueError, KeyError, TypeError):
            return self.answer(400, "body is not an event")
        with processed_lock:
            duplicate = event_id in processed
            processed.add(event_id)
        if duplicate:
            log("duplicate", event_id)
            return self.answer(200)  # already handled: acknowledge so the platform stops retrying
        data = event.get("data") or {}
        log("verified", event_id, event.get("type"), data.get("id"), data.get("status"))
        self.answer(200)  # 5. 2xx at once ...
        work.put(event)  # ... and the slow work afterwards

    def answer(self, status, reason=None):
        if reason:
            log("refused", status, reason)
        body = (reason or "ok").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass  # the lines above say what matters; no client addresses in the log


threading.Thread(target=worker, daemon=True).start()
server = ThreadingHTTPServer(("0.0.0.0", PORT), Receiver)
server.daemon_threads = True
print("listening on", server.server_address[1], flush=True)
server.serve_forever()
