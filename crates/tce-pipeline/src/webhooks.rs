//! What goes into the webhook outbox besides alerts: test events and P1
//! care cases. Payloads are JSON `{type, timestamp, data}` (docs/alerts.md
//! §9), or Slack's `text` plus blocks for a webhook that asks for it.

use crate::alerts::message_id;
use chrono::{DateTime, Utc};
use serde_json::json;
use tce_store::{NewDelivery, Webhook};

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
