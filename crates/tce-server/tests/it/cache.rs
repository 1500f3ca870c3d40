//! The insight cache: cheap entries are recomputed before answering, slow
//! ones are served stale while one background refresh runs.

use crate::common::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn stale_entries_refresh_synchronously_when_cheap_and_in_the_background_when_slow() {
    let t = test_app();
    let store = t.store();
    let runs = Arc::new(AtomicU64::new(0));

    // Cheap: recomputed at once after an ingest.
    let r = Arc::clone(&runs);
    let cheap = move || {
        let r = Arc::clone(&r);
        move |_: &tce_server::AppState, _: &dyn tce_store::Store| {
            Ok(r.fetch_add(1, Ordering::SeqCst))
        }
    };
    assert_eq!(*t.state.cached("cheap".into(), &store, cheap()).unwrap(), 0);
    assert_eq!(
        *t.state.cached("cheap".into(), &store, cheap()).unwrap(),
        0,
        "fresh hit"
    );
    t.state.data_changed();
    assert_eq!(
        *t.state.cached("cheap".into(), &store, cheap()).unwrap(),
        1,
        "recomputed"
    );

    // Slow: the stale value comes back at once, the refresh lands later.
    let slow_runs = Arc::new(AtomicU64::new(0));
    let slow = {
        let r = Arc::clone(&slow_runs);
        move || {
            let r = Arc::clone(&r);
            move |_: &tce_server::AppState, _: &dyn tce_store::Store| {
                std::thread::sleep(Duration::from_millis(150));
                Ok(r.fetch_add(1, Ordering::SeqCst))
            }
        }
    };
    assert_eq!(*t.state.cached("slow".into(), &store, slow()).unwrap(), 0);
    t.state.data_changed();
    let started = Instant::now();
    assert_eq!(
        *t.state.cached("slow".into(), &store, slow()).unwrap(),
        0,
        "stale served"
    );
    assert_eq!(
        *t.state.cached("slow".into(), &store, slow()).unwrap(),
        0,
        "one refresh at a time"
    );
    assert!(started.elapsed() < Duration::from_millis(100), "no waiting");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if *t.state.cached("slow".into(), &store, slow()).unwrap() == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the refresh never landed");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        slow_runs.load(Ordering::SeqCst),
        2,
        "exactly one background refresh"
    );
}
