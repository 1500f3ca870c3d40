//! What goes into the webhook outbox besides alerts: test events and P1
//! care cases. Payloads are JSON `{type, timestamp, data}` (docs/alerts.md
//! §9), or Slack's `text` plus blocks for a webhook that asks for it.

use crate::alerts::message_id;
use chrono::{DateTime, Utc};
use serde_json::json;
use tce_care::Case;
use tce_store::{DeriveTx, NewDelivery, StoreError, Webhook};

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A `webhook.test` event for one webhook.
pub fn test_delivery(webhook: &Webhook, now: DateTime<Utc>) -> NewDelivery {
    let payload = if webhook.slack {
        json!({
            "text": "tce webhook test: this endpoint receives tce alerts",
            "blocks": [{ "type": "section", "text": { "type": "mrkdwn",
                "text": "tce webhook test: this endpoint receives tce alerts" } }]
        })
    } else {
        json!({
            "type": "webhook.test",
            "timestamp": rfc3339(now),
            "data": { "webhook_id": webhook.id, "department": webhook.department },
        })
    };
    NewDelivery {
        webhook_id: webhook.id,
        message_id: message_id(),
        event_type: "webhook.test".into(),
        payload: payload.to_string(),
        created_at: now,
    }
}

/// The body of a `case.p1` event: the case's id, brand, channel, department,
/// touchpoint, priority and opening time, and the signal that opened it.
pub fn case_payload(case: &Case, slack: bool) -> String {
    let first = case.thread.first().map(|m| &m.signal);
    if slack {
        let line = format!(
            "[tce P1 case #{}] {} on {} → {} ({})",
            case.id.0, case.brand, case.channel, case.routing.department, case.routing.reason
        );
        json!({ "text": line, "blocks": [{ "type": "section",
            "text": { "type": "plain_text", "text": line } }] })
        .to_string()
    } else {
        json!({
            "type": "case.p1",
            "timestamp": rfc3339(case.opened_at),
            "data": {
                "id": case.id.0,
                "brand": case.brand,
                "channel": case.channel,
                "department": case.routing.department,
                "touchpoint": case.routing.touchpoint,
                "priority": "P1",
                "opened_at": rfc3339(case.opened_at),
                "reason": case.routing.reason,
                "signal": first.map(|r| json!({
                    "channel": r.channel,
                    "external_id": r.external_id,
                })),
            },
        })
        .to_string()
    }
}

/// Queues each P1 case for its department's webhooks (and those for every
/// department), inside the transaction that opened it. Returns how many.
pub(crate) fn enqueue_p1_cases(cases: &[Case], tx: &mut dyn DeriveTx) -> Result<u64, StoreError> {
    let hooks = tx.webhooks()?;
    let mut out = Vec::new();
    for case in cases {
        for h in hooks.iter().filter(|h| {
            h.department.is_none()
                || h.department.as_deref() == Some(case.routing.department.as_str())
        }) {
            out.push(NewDelivery {
                webhook_id: h.id,
                message_id: message_id(),
                event_type: "case.p1".into(),
                payload: case_payload(case, h.slack),
                created_at: case.opened_at,
            });
        }
    }
    if !out.is_empty() {
        tx.enqueue(&out)?;
    }
    Ok(out.len() as u64)
}
