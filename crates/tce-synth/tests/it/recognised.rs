//! The product's care rules (tce-care, on tce-text's enrichment, reading the
//! JSONL through tce-ingest) see the planted care side as truth.json says:
//! each planted reply is the first response of the case its customer's post
//! opens, with the planted first-response time; unanswered posts' cases have
//! none; follow-ups join their conversation's case; brand replies are never
//! taken for customers. (Test-only edges: the generator itself depends on
//! tce-model alone.)

use crate::airline;
use std::collections::{HashMap, HashSet};
use tce_care::workflow::apply;
use tce_care::{triage, Action, Actor, Case, CaseId, Party};
use tce_ingest::{ReadOptions, SignalReader};

#[test]
fn care_rules_see_the_planted_conversations() {
    let w = airline();
    let model = &w.model;
    let dir = std::env::temp_dir().join(format!("tce-synth-care-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("signals.jsonl");
    std::fs::write(&path, &w.raw).unwrap();
    let signals: Vec<_> = SignalReader::open(&path, &ReadOptions::default(), model)
        .unwrap()
        .map(|r| r.unwrap().signal)
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    let enricher = tce_text::enrich::Enricher::new(model).unwrap();
    let now = "2030-01-01T00:00:00Z".parse().unwrap();
    let mut cases: Vec<Case> = Vec::new();
    for s in signals {
        let e = tce_model::EnrichedSignal {
            enrichment: enricher.enrich(&s),
            signal: s,
        };
        let action = triage(model, &e, &cases);
        match &action {
            Action::Open(o) => {
                let id = CaseId(cases.len() as u64 + 1);
                cases.push(Case::open(id, o.clone(), model).unwrap().0);
            }
            Action::Respond { .. } | Action::FollowUp { .. } => {
                let (id, change) = action.change().unwrap();
                let case = cases.iter_mut().find(|c| c.id == id).unwrap();
                let v = case.version;
                apply(case, v, Actor::System, change, model, now).unwrap();
            }
            Action::Skip(_) => {}
        }
    }
    let care = &w.truth.care;
    let handles: HashSet<&str> = care.handles.values().map(String::as_str).collect();
    for c in &cases {
        for e in c.thread.iter().filter(|e| e.party == Party::Customer) {
            let author = e.author.as_deref().unwrap_or("");
            assert!(
                !handles.contains(author),
                "brand reply taken for a customer's"
            );
        }
    }
    let opened_by: HashMap<&str, &Case> = cases
        .iter()
        .map(|c| (c.thread[0].signal.external_id.as_str(), c))
        .collect();

    let mut opened = 0;
    for r in &care.replies {
        let Some(case) = opened_by.get(r.customer_id.as_str()) else {
            continue;
        };
        opened += 1;
        let tce = case.sla.first_response_timing.map(|t| t.wall_secs);
        assert_eq!(tce, Some(r.first_response_secs), "{r:?}");
    }
    assert!(
        opened * 10 >= care.replies.len() * 9,
        "{opened} of {} answered posts open a case",
        care.replies.len()
    );
    let mut unanswered = 0;
    for n in &care.never {
        if let Some(case) = opened_by.get(n.id.as_str()) {
            unanswered += 1;
            assert_eq!(case.sla.first_response_timing, None, "{n:?}");
        }
    }
    assert!(unanswered * 10 >= care.never.len() * 9);
    for f in &care.follow_ups {
        if let Some(case) = opened_by.get(f.customer_id.as_str()) {
            assert!(case.has_signal(&f.channel, &f.id), "{f:?} joins its case");
        }
    }
}
