//! Which case a follow-up joins.

use crate::{complaint, enriched, open, signal, small, t, Says};
use tce_care::thread::{find, Join};
use tce_care::workflow::{apply, Change};
use tce_care::{triage, Action, Actor, Status};

#[test]
fn follow_ups_join_the_open_case() {
    let m = small();
    let first = enriched(
        &m,
        signal("x", "c1", "cust", "2027-01-04T10:00:00Z"),
        &complaint(vec![("delay", 0.9)]),
    );
    let case = open(&m, 1, &first);
    let other = open(
        &m,
        2,
        &enriched(
            &m,
            signal("x", "d1", "someone_else", "2027-01-04T11:00:00Z"),
            &complaint(vec![]),
        ),
    );
    let cases = [other.clone(), case.clone()];
    let window = m.care.thread_window_hours;

    // Same author, same channel, within the window: joins, even with no
    // intent of its own ("still waiting").
    let s = signal("x", "c2", "cust", "2027-01-05T09:00:00Z");
    let neutral = Says {
        brand: None,
        ..Says::default()
    };
    match triage(&m, &enriched(&m, s.clone(), &neutral), &cases) {
        Action::FollowUp {
            case: id,
            how,
            entry,
        } => {
            assert_eq!((id.0, how), (1, Join::SameAuthor));
            assert_eq!(entry.signal.external_id, "c2");
        }
        other => panic!("{other:?}"),
    }
    // Outside the window, on another channel, or by someone else: no.
    let late = signal("x", "c3", "cust", "2027-01-06T10:00:01Z");
    assert!(find(&cases, &late, window).is_none());
    let email = signal("email", "c4", "cust", "2027-01-04T12:00:00Z");
    assert!(find(&cases, &email, window).is_none());
    let stranger = signal("x", "c5", "nobody", "2027-01-04T12:00:00Z");
    assert!(find(&cases, &stranger, window).is_none());

    // A reply to a message of the thread joins whatever the time or author.
    let mut reply = signal("x", "c6", "cust_new_handle", "2027-02-20T12:00:00Z");
    reply.in_reply_to = Some("c1".into());
    assert_eq!(
        find(&cases, &reply, window).map(|(c, j)| (c.id.0, j)),
        Some((1, Join::ReplyTo))
    );

    // A resolved case is joined by a reply, not by the window; a closed one never.
    let mut resolved = case.clone();
    apply(
        &mut resolved,
        1,
        Actor::System,
        Change::SetStatus(Status::Resolved),
        &m,
        t("2027-01-04T12:00:00Z"),
    )
    .unwrap();
    let only = [resolved.clone()];
    assert!(find(&only, &s, window).is_none());
    assert!(find(&only, &reply, window).is_some());
    let mut closed = resolved;
    apply(
        &mut closed,
        2,
        Actor::System,
        Change::SetStatus(Status::Closed),
        &m,
        t("2027-01-12T12:00:00Z"),
    )
    .unwrap();
    assert!(find(&[closed.clone()], &reply, window).is_none());
    // So a new complaint after close opens a new case.
    let again = enriched(&m, reply, &complaint(vec![]));
    assert!(matches!(triage(&m, &again, &[closed]), Action::Open(_)));
}
