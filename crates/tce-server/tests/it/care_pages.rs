//! The care pages in-process: the Cases queue, a case's page and its
//! forms (CSRF, versions, the department wall), the Care page, the
//! Overview's care block and the report's care section.

use crate::common::*;
use axum::http::StatusCode;
use tce_care::CaseId;
use tce_store::{CaseQuery, Store};

/// A complaint about the own brand with a hostile author and text, sent
/// through the API (the ingest pipeline opens its case); returns its case.
async fn hostile_case(t: &TestApp) -> CaseId {
    let record = serde_json::json!({
        "id": "evil-care-1", "channel": "x",
        "text": format!("{HOSTILE_TEXT} — terrible, my baggage never arrived and nobody answers"),
        "created_at": "2026-04-22T09:00:00Z", "brand": "skyway", "author": HOSTILE_AUTHOR,
    });
    let res = t
        .post(
            "/api/v1/signals",
            Some(&t.tokens.admin),
            "application/x-ndjson",
            format!("{record}\n"),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    let store = t.store();
    let page = store
        .cases(&CaseQuery {
            statuses: Vec::new(),
            ..CaseQuery::default()
        })
        .expect("cases");
    page.items
        .iter()
        .find(|c| c.author.as_deref() == Some(HOSTILE_AUTHOR))
        .map(|c| c.id)
        .expect("the hostile complaint opened a case")
}

fn assert_escaped(html: &str) {
    assert!(!html.contains("<script>alert"), "raw script in the page");
    assert!(!html.contains("<img src=x"), "raw img in the page");
    assert!(
        html.contains("&lt;script&gt;alert("),
        "escaped text missing"
    );
    assert!(
        html.contains("&lt;img src=x onerror=alert(2)&gt;"),
        "escaped author missing"
    );
}

/// The hidden field `name` of the form with id `form`.
fn field(html: &str, form: &str, name: &str) -> String {
    let at = html
        .find(&format!("id=\"{form}\""))
        .unwrap_or_else(|| panic!("form {form} missing"));
    let rest = &html[at..];
    let key = format!("name=\"{name}\" value=\"");
    let i = rest.find(&key).expect("field");
    let rest = &rest[i + key.len()..];
    rest[..rest.find('"').expect("end")].to_string()
}

#[tokio::test]
async fn hostile_author_and_text_are_escaped_on_cases_and_case_pages() {
    let t = test_app();
    let id = hostile_case(&t).await;
    let cookie = t.sign_in(&t.tokens.admin).await;
    let queue = t.page("/cases", Some(&cookie)).await;
    assert_eq!(queue.status, StatusCode::OK);
    let html = queue.text();
    assert!(
        html.contains(&format!("href=\"/cases/{id}\"")),
        "case not listed"
    );
    assert_escaped(&html);
    let page = t.page(&format!("/cases/{id}"), Some(&cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert_escaped(&html);
    for part in [
        "Thread",
        "SLA clocks",
        "Priority P",
        "Audit trail",
        "Opened as a care case",
    ] {
        assert!(html.contains(part), "{part:?} missing");
    }
    for form in ["respond", "status", "assign", "route", "note"] {
        assert!(
            html.contains(&format!("id=\"{form}\"")),
            "form {form} missing"
        );
    }
}

#[tokio::test]
async fn respond_through_the_form_shows_in_the_thread_and_the_trail() {
    let t = test_app();
    let id = hostile_case(&t).await;
    let cookie = t.sign_in(&t.tokens.admin).await;
    let html = t.page(&format!("/cases/{id}"), Some(&cookie)).await.text();
    let (csrf, version) = (
        field(&html, "respond", "csrf"),
        field(&html, "respond", "version"),
    );
    let reply = "Sorry <b>about</b> your bag: we found it & it is on its way.";
    let res = t
        .form(
            &format!("/cases/{id}/respond"),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("text", reply),
                ("channel", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let html = t.page(&format!("/cases/{id}"), Some(&cookie)).await.text();
    assert!(html
        .contains("Sorry &lt;b&gt;about&lt;/b&gt; your bag: we found it &amp; it is on its way."));
    assert!(html.contains("response recorded in tce"));
    assert!(html.contains("First response after"));
    // An empty response is refused in the form's words, the rest kept.
    let version = field(&html, "respond", "version");
    let res = t
        .form(
            &format!("/cases/{id}/note"),
            Some(&cookie),
            &[("csrf", &csrf), ("version", &version), ("text", "  ")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("Note: write the note."));
    // An invalid transition names the allowed ones.
    let res = t
        .form(
            &format!("/cases/{id}/status"),
            Some(&cookie),
            &[("csrf", &csrf), ("version", &version), ("status", "closed")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().contains("may move to"), "{}", res.text());
}

#[tokio::test]
async fn a_stale_version_is_refused_and_keeps_what_was_typed() {
    let t = test_app();
    let id = hostile_case(&t).await;
    let cookie = t.sign_in(&t.tokens.admin).await;
    let html = t.page(&format!("/cases/{id}"), Some(&cookie)).await.text();
    let (csrf, seen) = (
        field(&html, "note", "csrf"),
        field(&html, "note", "version"),
    );
    // Someone else changes the case meanwhile.
    let res = t
        .form(
            &format!("/cases/{id}/note"),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("version", &seen),
                ("text", "checking with the airport"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let typed = "We are on it — <i>really</i>";
    let res = t
        .form(
            &format!("/cases/{id}/respond"),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("version", &seen),
                ("text", typed),
                ("channel", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let html = res.text();
    assert!(html.contains("This case changed while you were looking: reload it."));
    assert!(
        html.contains("We are on it — &lt;i&gt;really&lt;/i&gt;"),
        "typed text lost"
    );
    assert!(
        html.contains("checking with the airport"),
        "the other change is not shown"
    );
    // The kept form carries the current version: sending it again applies.
    let current = field(&html, "respond", "version");
    assert_ne!(current, seen);
    let res = t
        .form(
            &format!("/cases/{id}/respond"),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("version", &current),
                ("text", typed),
                ("channel", "x"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let t = test_app();
    let id = hostile_case(&t).await;
    let cookie = t.sign_in(&t.tokens.admin).await;
    let html = t.page(&format!("/cases/{id}"), Some(&cookie)).await.text();
    let version = field(&html, "respond", "version");
    for fields in [
        vec![("version", version.as_str()), ("text", "hi")],
        vec![
            ("csrf", "forged"),
            ("version", version.as_str()),
            ("text", "hi"),
        ],
    ] {
        let res = t
            .form(&format!("/cases/{id}/respond"), Some(&cookie), &fields)
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert!(res.text().contains("csrf_failed"));
    }
    let trail = t.store().case_events(id).expect("events");
    assert!(!trail.iter().any(|e| e.event.kind.as_str() == "response"));
}

#[tokio::test]
async fn an_agent_of_another_department_gets_404() {
    let t = test_app();
    let id = hostile_case(&t).await;
    // An admin re-routes the case away from baggage (the agent's department).
    let admin = t.sign_in(&t.tokens.admin).await;
    let html = t.page(&format!("/cases/{id}"), Some(&admin)).await.text();
    let case = t.store().case(id).expect("case").expect("exists");
    let other = t
        .state
        .model()
        .departments
        .iter()
        .find(|d| d.id != "baggage" && d.id != case.department())
        .expect("another department")
        .id
        .clone();
    let res = t
        .form(
            &format!("/cases/{id}/route"),
            Some(&admin),
            &[
                ("csrf", &field(&html, "route", "csrf")),
                ("version", &field(&html, "route", "version")),
                ("department", &other),
                ("reason", "<script>not ours</script>"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.text());
    let html = t.page(&format!("/cases/{id}"), Some(&admin)).await.text();
    assert!(html.contains("&lt;script&gt;not ours&lt;/script&gt;"));

    let agent = t.sign_in(&t.tokens.agent).await;
    let res = t.page(&format!("/cases/{id}"), Some(&agent)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let missing = t.page("/cases/999999", Some(&agent)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let main = |html: String| html[html.find("<main>").expect("main")..].to_string();
    assert_eq!(
        main(res.text()).replace(&format!("no case {id}"), "no case N"),
        main(missing.text()).replace("no case 999999", "no case N"),
        "another department's case must look like no case"
    );
    let queue = t.page("/cases", Some(&agent)).await;
    assert_eq!(queue.status, StatusCode::OK);
    assert!(!queue.text().contains(&format!("href=\"/cases/{id}\"")));
    let csrf = hidden_csrf(&queue.text());
    let res = t
        .form(
            &format!("/cases/{id}/note"),
            Some(&agent),
            &[("csrf", &csrf), ("version", "1"), ("text", "mine?")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn analysts_may_only_reroute() {
    let t = test_app();
    let id = hostile_case(&t).await;
    let analyst = t.sign_in(&t.tokens.analyst).await;
    let html = t.page(&format!("/cases/{id}"), Some(&analyst)).await.text();
    assert!(html.contains("id=\"route\""));
    assert!(!html.contains("id=\"respond\""));
    let res = t
        .form(
            &format!("/cases/{id}/respond"),
            Some(&analyst),
            &[
                ("csrf", &field(&html, "route", "csrf")),
                ("version", &field(&html, "route", "version")),
                ("text", "hello"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn queue_filters_are_checked_in_the_forms_words() {
    let t = test_app();
    let id = hostile_case(&t).await;
    let cookie = t.sign_in(&t.tokens.analyst).await;
    let res = t
        .page("/cases?priority=p9&status=lost", Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text();
    assert!(html.contains("Priority: choose P1 to P4"), "{html}");
    assert!(html.contains("Status: choose one of the list"));
    let res = t.page("/cases?kind=care&status=all", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.text().contains(&format!("href=\"/cases/{id}\"")));
    let res = t.page("/cases?kind=lead", Some(&cookie)).await;
    assert!(!res.text().contains(&format!("href=\"/cases/{id}\"")));
}

#[tokio::test]
async fn care_page_overview_block_and_report_section() {
    let t = test_app();
    hostile_case(&t).await;
    let cookie = t.sign_in(&t.tokens.analyst).await;
    let res = t.page("/care", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    for part in [
        "First-response time per department",
        "Backlog by age",
        "SLA attainment by week",
        "Cost per case by channel",
        "assumption",
        "Figures cover",
    ] {
        assert!(html.contains(part), "{part:?} missing");
    }
    let res = t
        .page("/care?from=2026-05-01&to=2026-04-01", Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .contains("From (1 May 2026) is after To (1 Apr 2026)"));
    let res = t
        .page("/care?range=%3Cb%3Eever%3C%2Fb%3E", Some(&cookie))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = res.text();
    assert!(text.contains("Range: only “all”"), "{text}");
    assert!(!text.contains("<b>ever</b>"), "the value is escaped");
    let res = t.page("/care?range=all", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::OK);
    let res = t.page("/", Some(&cookie)).await;
    assert!(res
        .text()
        .contains("Open cases and breaches per department"));
    let html = tce_server::report::report(
        t.state.model(),
        &t.store(),
        &tce_server::report::ReportOptions::default(),
    )
    .expect("report");
    assert!(html.contains("id=\"care\""));
    assert!(html.contains("First response p50"));
    assert_escaped_report(&html);
}

fn assert_escaped_report(html: &str) {
    assert!(!html.contains("<script>alert"));
}
