//! SLA due times in business hours, weekends, holidays, DST changes and
//! pauses, with at-risk and breach flags — all on a fixed clock.

use crate::{complaint, enriched, open, signal, small, t};
use tce_care::sla::{Calendar, SlaClock};
use tce_care::workflow::{apply, Change};
use tce_care::{Actor, Case, Status};
use tce_model::{Model, SlaTarget};

/// A case of [`small`] about `touchpoint` ("delay" → ops, London office
/// hours, 4 h / 16 h; "refund" → care, 24/7, 1 h / 24 h) opened at `at`.
fn case_at(m: &Model, touchpoint: &'static str, at: &str) -> Case {
    let s = enriched(
        m,
        signal("x", "c1", "cust", at),
        &complaint(vec![(touchpoint, 0.9)]),
    );
    open(m, 1, &s)
}

fn due(m: &Model, touchpoint: &'static str, at: &str) -> (String, String) {
    let c = case_at(m, touchpoint, at);
    (
        c.sla.first_response_due.to_rfc3339(),
        c.sla.resolution_due.to_rfc3339(),
    )
}

fn pair(a: &str, b: &str) -> (String, String) {
    (t(a).to_rfc3339(), t(b).to_rfc3339())
}

#[test]
fn due_times_around_the_clock() {
    let m = small();
    assert_eq!(
        due(&m, "refund", "2027-01-04T10:00:00Z"),
        pair("2027-01-04T11:00:00Z", "2027-01-05T10:00:00Z")
    );
    // A Saturday night counts like any hour.
    assert_eq!(
        due(&m, "refund", "2027-01-09T23:30:00Z"),
        pair("2027-01-10T00:30:00Z", "2027-01-10T23:30:00Z")
    );
}

#[test]
fn due_times_in_business_hours_skip_nights_weekends_and_holidays() {
    let m = small();
    // Monday 10:00: 4 h the same day; 16 h = 7 h Mon + 8 h Tue + 1 h Wed.
    assert_eq!(
        due(&m, "delay", "2027-01-04T10:00:00Z"),
        pair("2027-01-04T14:00:00Z", "2027-01-06T10:00:00Z")
    );
    // Opened on a Saturday: the clock starts Monday 09:00.
    assert_eq!(
        due(&m, "delay", "2027-01-09T10:00:00Z").0,
        t("2027-01-11T13:00:00Z").to_rfc3339()
    );
    // Opened at 20:00: the clock starts the next morning.
    assert_eq!(
        due(&m, "delay", "2027-01-05T20:00:00Z").0,
        t("2027-01-06T13:00:00Z").to_rfc3339()
    );
    // Thursday 23 Dec 16:30: ½ h, then Fri 24 (holiday), the weekend and
    // Mon 27 (holiday) are closed; 3½ h on Tuesday.
    assert_eq!(
        due(&m, "delay", "2027-12-23T16:30:00Z").0,
        t("2027-12-28T12:30:00Z").to_rfc3339()
    );
}

#[test]
fn due_times_follow_the_local_clock_across_a_dst_change() {
    let m = small();
    // Friday 26 March 2027 16:00 GMT: 1 h on Friday; London moves to BST on
    // Sunday 28th, so Monday opens at 09:00 BST = 08:00 UTC, + 3 h.
    assert_eq!(
        due(&m, "delay", "2027-03-26T16:00:00Z").0,
        t("2027-03-29T11:00:00Z").to_rfc3339()
    );
    // A day open from midnight to midnight lasts 25 h when New York falls
    // back (1 Nov 2026) and 23 h when it springs forward (14 Mar 2027).
    let cal = Calendar::of(&m.care, "nights");
    assert_eq!(
        cal.between(t("2026-11-01T04:00:00Z"), t("2026-11-02T05:00:00Z")),
        25 * 3600
    );
    assert_eq!(
        cal.between(t("2027-03-14T05:00:00Z"), t("2027-03-15T04:00:00Z")),
        23 * 3600
    );
    let target = SlaTarget {
        first_response_hours: 24.0,
        resolution_hours: 48.0,
    };
    let clock = SlaClock::start(&cal, target, t("2026-11-01T04:00:00Z")).unwrap();
    // 24 h within the 25-hour Sunday: 23:00 EST.
    assert_eq!(clock.first_response_due, t("2026-11-02T04:00:00Z"));
    // 48 h: 25 h that Sunday, 23 h the next (00:00 EST = 05:00 UTC).
    assert_eq!(clock.resolution_due, t("2026-11-09T04:00:00Z"));
    // An opening time skipped by the change (02:30 on 14 March 2027 in New
    // York) is read just after the gap: 03:30 EDT, so 30 minutes that day.
    let toml = crate::SMALL.replace(r#"sun = ["00:00-24:00"]"#, r#"sun = ["02:30-04:00"]"#);
    let gap = Model::parse(&toml, std::path::Path::new("small.toml")).unwrap();
    let gap_cal = Calendar::of(&gap.care, "nights");
    assert_eq!(
        gap_cal.between(t("2027-03-14T00:00:00Z"), t("2027-03-15T00:00:00Z")),
        1800
    );
    assert_eq!(
        gap_cal.add(t("2027-03-14T00:00:00Z"), 0).unwrap(),
        t("2027-03-14T07:30:00Z")
    );
    // Business time and due times agree: the target is exactly used by the due time.
    assert_eq!(
        cal.between(clock.started_at, clock.resolution_due),
        48 * 3600
    );
}

#[test]
fn the_clock_pauses_while_the_case_is_pending() {
    let m = small();
    let mut c = case_at(&m, "delay", "2027-03-01T09:00:00Z");
    let agent = || Actor::Agent("ana".into());
    // 1 h used, then waiting on the customer from Monday 10:00 …
    apply(
        &mut c,
        1,
        agent(),
        Change::SetStatus(Status::Pending),
        &m,
        t("2027-03-01T10:00:00Z"),
    )
    .unwrap();
    let state = c.sla.state(
        &Calendar::of(&m.care, "ops"),
        t("2027-03-01T16:00:00Z"),
        0.8,
    );
    assert!(state.first_response.paused && !state.first_response.breached);
    assert_eq!(state.first_response.used_secs, 3600);
    // … until the customer answers on Tuesday 10:00 (8 business hours later).
    let mut follow = signal("x", "c2", "cust", "2027-03-02T10:00:00Z");
    follow.in_reply_to = Some("c1".into());
    let entry = match tce_care::triage(
        &m,
        &enriched(&m, follow, &complaint(vec![])),
        std::slice::from_ref(&c),
    ) {
        tce_care::Action::FollowUp { entry, .. } => entry,
        other => panic!("{other:?}"),
    };
    apply(
        &mut c,
        2,
        Actor::Customer,
        Change::CustomerMessage(entry),
        &m,
        t("2027-03-02T10:00:00Z"),
    )
    .unwrap();
    assert_eq!(c.status, Status::Open);
    // 3 h of first response left: Tuesday 13:00; 15 h of resolution left:
    // 7 h Tuesday + 8 h Wednesday.
    assert_eq!(c.sla.first_response_due, t("2027-03-02T13:00:00Z"));
    assert_eq!(c.sla.resolution_due, t("2027-03-03T17:00:00Z"));

    let events = apply(
        &mut c,
        3,
        agent(),
        Change::Respond {
            text: "Sorry, rebooked you.".into(),
            channel: "x".into(),
            agent: Some("ana".into()),
            reply: None,
        },
        &m,
        t("2027-03-02T12:00:00Z"),
    )
    .unwrap();
    let first = events
        .iter()
        .find_map(|e| match e.kind {
            tce_care::CaseEventKind::FirstResponse {
                wall_secs,
                business_secs,
                within_sla,
            } => Some((wall_secs, business_secs, within_sla)),
            _ => None,
        })
        .unwrap();
    // 27 h on the wall clock; 11 business hours minus the 8 paused.
    assert_eq!(first, (27 * 3600, 3 * 3600, true));
}

#[test]
fn at_risk_and_breach_flags() {
    let m = small();
    let c = case_at(&m, "refund", "2027-01-04T10:00:00Z");
    let cal = Calendar::of(&m.care, "care");
    let fr = |at: &str| {
        c.sla
            .state(&cal, t(at), m.care.at_risk_share)
            .first_response
    };
    let flags = |at: &str| {
        let s = fr(at);
        (s.at_risk, s.breached)
    };
    assert_eq!(flags("2027-01-04T10:47:00Z"), (false, false));
    assert_eq!(flags("2027-01-04T10:49:00Z"), (true, false));
    assert_eq!(flags("2027-01-04T11:00:00Z"), (true, false));
    assert_eq!(flags("2027-01-04T11:01:00Z"), (false, true));

    // Answered in time: done, never at risk or breached afterwards.
    let mut answered = c.clone();
    apply(
        &mut answered,
        1,
        Actor::Agent("bo".into()),
        Change::Respond {
            text: "On it".into(),
            channel: "x".into(),
            agent: Some("bo".into()),
            reply: None,
        },
        &m,
        t("2027-01-04T10:30:00Z"),
    )
    .unwrap();
    let s = answered.sla.state(&cal, t("2027-01-05T12:00:00Z"), 0.8);
    assert!(s.first_response.done && !s.first_response.breached && !s.first_response.at_risk);
    assert_eq!(s.first_response.used_secs, 1800);
    // The resolution clock did breach by then (24 h).
    assert!(s.resolution.breached && s.breached());

    // Answered late: done and breached.
    let mut late = c.clone();
    apply(
        &mut late,
        1,
        Actor::System,
        Change::Respond {
            text: "Sorry for the wait".into(),
            channel: "x".into(),
            agent: None,
            reply: None,
        },
        &m,
        t("2027-01-04T12:00:00Z"),
    )
    .unwrap();
    let s = late.sla.state(&cal, t("2027-01-04T12:30:00Z"), 0.8);
    assert!(s.first_response.done && s.first_response.breached);
}

#[test]
fn breach_instant_for_queues() {
    let m = small();
    // "refund": 24/7, 1 h to the first response, 24 h to resolution.
    let mut c = case_at(&m, "refund", "2027-01-04T10:00:00Z");
    // Running: it will breach at the first-response due time.
    assert_eq!(c.sla.breach_at(), Some(t("2027-01-04T11:00:00Z")));
    apply(
        &mut c,
        1,
        Actor::Agent("amy".into()),
        Change::Respond {
            text: "on it".into(),
            channel: "x".into(),
            agent: Some("amy".into()),
            reply: None,
        },
        &m,
        t("2027-01-04T10:30:00Z"),
    )
    .unwrap();
    // Answered in time: only resolution can breach now.
    assert_eq!(c.sla.breach_at(), Some(t("2027-01-05T10:00:00Z")));
    apply(
        &mut c,
        2,
        Actor::Agent("amy".into()),
        Change::SetStatus(Status::Pending),
        &m,
        t("2027-01-04T12:00:00Z"),
    )
    .unwrap();
    // Paused before its due time: it cannot breach while it waits.
    assert_eq!(c.sla.breach_at(), None);

    // Never answered and resolved late: breached at the due times.
    let mut late = case_at(&m, "refund", "2027-01-04T10:00:00Z");
    apply(
        &mut late,
        1,
        Actor::Agent("amy".into()),
        Change::SetStatus(Status::Resolved),
        &m,
        t("2027-01-06T10:00:00Z"),
    )
    .unwrap();
    assert_eq!(late.sla.breach_at(), Some(t("2027-01-04T11:00:00Z")));
}
