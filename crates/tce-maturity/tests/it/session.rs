//! The interactive flow's state: driven through a whole instrument, saved
//! and resumed half-way, refusing unknown items and choices.

use crate::{catalog, day};
use tce_maturity::{assess, Facts, Session, SessionError};

#[test]
fn a_session_is_driven_through_an_instrument_and_resumed() {
    let c = catalog();
    let mut s = Session::new(&c, &["readiness"]).unwrap();
    assert_eq!(s.progress(&c), (0, 6));
    let q = s.next_question(&c).unwrap();
    assert_eq!((q.number, q.total), (1, 6));
    assert_eq!(q.item, "experience_everywhere");
    assert_eq!(q.choices, ["not yet", "partly", "solid"]);

    // Three answers, then the session is saved and resumed.
    for _ in 0..3 {
        let q = s.next_question(&c).unwrap();
        s.answer(&c, &q.instrument, &q.item, q.choices.last().unwrap())
            .unwrap();
    }
    let saved = serde_json::to_string(&s).unwrap();
    let mut resumed: Session = serde_json::from_str(&saved).unwrap();
    assert_eq!(resumed, s);
    assert_eq!(resumed.progress(&c), (3, 6));
    assert_eq!(resumed.next_question(&c).unwrap().number, 4);

    // Refusals leave the session unchanged.
    let q = resumed.next_question(&c).unwrap();
    let err = resumed
        .answer(&c, "readiness", &q.item, "maybe")
        .unwrap_err();
    assert!(matches!(err, SessionError::UnknownChoice { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "\"maybe\" is not a choice of readiness.{} (choices: not yet | partly | solid)",
            q.item
        )
    );
    assert!(matches!(
        resumed.answer(&c, "readiness", "nope", "solid"),
        Err(SessionError::UnknownItem { .. })
    ));
    assert!(matches!(
        resumed.answer(&c, "orientation", "people_frontline", "x"),
        Err(SessionError::UnknownInstrument(_))
    ));
    assert_eq!(resumed.progress(&c), (3, 6));

    while let Some(q) = resumed.next_question(&c) {
        resumed
            .answer(&c, &q.instrument, &q.item, &q.choices[0])
            .unwrap();
    }
    assert!(resumed.is_complete(&c));
    let a = assess(&c, &resumed.answers(), &Facts::new(), day("2026-12-01"));
    let levels: Vec<&str> = a.instruments[0]
        .areas
        .iter()
        .map(|x| x.level.id.as_str())
        .collect();
    assert_eq!(
        levels,
        ["solid", "solid", "solid", "not_yet", "not_yet", "not_yet"]
    );

    // Going back: a cleared item is asked again.
    resumed.clear("readiness", "standing_out");
    assert_eq!(resumed.next_question(&c).unwrap().item, "standing_out");
    assert!(Session::new(&c, &["nope"]).is_err());
    assert_eq!(
        Session::all(&c).progress(&c).1,
        c.instruments()
            .iter()
            .map(|i| i.items().count())
            .sum::<usize>()
    );
}
