"""Webhooks: partners' URLs told of publish, verify and retraction with the public record,
signed with HMAC-SHA256; queued with the moderation change and sent later, with backoff."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
from flask_babel import gettext as _
from sqlalchemy import select, update

from mapper.errors import ValidationFailed
from mapper.exports.formats import feature
from mapper.extensions import db
from mapper.models import PUBLIC_STATUSES, Report, User, Webhook, WebhookDelivery
from mapper.query.filters import ReportFilters
from mapper.query.records import records_select

MAX_ATTEMPTS = 10
TIMEOUT_SECONDS = 10


def create_webhook(label: str, url: str, actor: User | None) -> Webhook:
    label, url = (label or "").strip(), (url or "").strip()
    problems = []
    if not label or len(label) > 120:
        problems.append(("label", _("Give a label of 1 to 120 characters.")))
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(url) > 2000:
        problems.append(("url", _("Give the full http(s) address the partner receives on.")))
    if problems:
        raise ValidationFailed(problems)
    hook = Webhook(
        label=label,
        url=url,
        secret=secrets.token_hex(32),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(hook)
    db.session.flush()
    return hook


def disable_webhook(webhook_id: int) -> None:
    db.session.execute(
        update(Webhook)
        .where(Webhook.id == webhook_id, Webhook.disabled_at.is_(None))
        .values(disabled_at=datetime.now(UTC))
    )


def all_webhooks() -> list[Webhook]:
    return list(db.session.scalars(select(Webhook).order_by(Webhook.created_at.desc())))


def event_for(old_status: str, new_status: str) -> str | None:
    """What partners hear of a status change: publication, verification or retraction."""
    was, now = old_status in PUBLIC_STATUSES, new_status in PUBLIC_STATUSES
    if now and new_status != old_status:
        return f"report.{new_status}"
    if was and not now:
        return "report.retracted"
    return None


def _body(event: str, report: Report) -> str:
    if event == "report.retracted":
        # Gone from public view: partners learn which record to take down, nothing more.
        data = {"reference": report.reference}
    else:
        stmt = records_select(ReportFilters()).where(Report.id == report.id)
        data = feature(db.session.execute(stmt).one())
    sent = datetime.now(UTC).isoformat(timespec="seconds")
    return json.dumps({"event": event, "occurred_at": sent, "data": data}, ensure_ascii=False)


def enqueue(report: Report, old_status: str, new_status: str) -> int:
    """Queue the event of this change for every live webhook, in the caller's transaction."""
    event = event_for(old_status, new_status)
    if event is None:
        return 0
    hooks = list(db.session.scalars(select(Webhook.id).where(Webhook.disabled_at.is_(None))))
    if not hooks:
        return 0
    db.session.flush()
    body = _body(event, report)
    db.session.add_all(WebhookDelivery(webhook_id=h, event=event, body=body) for h in hooks)
    return len(hooks)


def signature(secret: str, timestamp: int, body: str) -> str:
    """`t=<unix time>,v1=<HMAC-SHA256 of "<t>.<body>">`: the receiver checks both."""
    mac = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


def _send(
    client: httpx.Client, delivery: WebhookDelivery, hook: Webhook
) -> tuple[int | None, str | None]:
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "mapper-webhooks/1",
        "X-Mapper-Event": delivery.event,
        "X-Mapper-Delivery": str(delivery.id),
        "X-Mapper-Signature": signature(hook.secret, stamp, delivery.body),
    }
    try:
        answer = client.post(hook.url, content=delivery.body.encode(), headers=headers)
    except httpx.HTTPError as error:
        return None, type(error).__name__
    return answer.status_code, None if answer.is_success else f"HTTP {answer.status_code}"


def deliver_due(limit: int = 100, client: httpx.Client | None = None) -> dict[str, int]:
    """Send the deliveries that are due, each committed on its own; returns what happened."""
    done = {"delivered": 0, "retrying": 0, "failed": 0}
    client = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
    for _turn in range(limit):
        due = db.session.execute(
            select(WebhookDelivery, Webhook)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(
                WebhookDelivery.delivered_at.is_(None),
                WebhookDelivery.failed_at.is_(None),
                WebhookDelivery.next_attempt_at <= datetime.now(UTC),
                Webhook.disabled_at.is_(None),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=WebhookDelivery)
        ).first()
        if due is None:
            break
        delivery, hook = due
        status, problem = _send(client, delivery, hook)
        delivery.attempts += 1
        delivery.last_status = status
        delivery.last_error = problem
        now = datetime.now(UTC)
        if problem is None:
            delivery.delivered_at = now
            done["delivered"] += 1
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.failed_at = now
            done["failed"] += 1
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            done["retrying"] += 1
        db.session.commit()
    return done
