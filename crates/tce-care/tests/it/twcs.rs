//! Real customer-support threads (../shared/data/twcs, "Customer Support on
//! Twitter", evaluation only): the customer tweets and the brands' replies
//! go through the ingest CSV mapping and enrichment, then through
//! [`triage`]. Brand replies are recognised by their handles — never opened
//! or joined as customer messages — and each case's first-response time
//! equals the first brand reply in its reply chain minus the customer's
//! tweet, computed directly from the file.

use crate::t;
use chrono::DateTime;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use tce_care::workflow::apply;
use tce_care::{triage, Action, Actor, Case, CaseId, Party, Skip};
use tce_ingest::{CsvOptions, ReadOptions, SignalReader};
use tce_model::Model;

/// `shared/data` beside the repository, or beside the folder of worktrees.
fn shared_data() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../../../shared/data", "../../../../shared/data"]
        .iter()
        .map(|p| here.join(p))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| panic!("evaluation data not found beside {}", here.display()))
}

/// Every support handle of the two files as an own brand; the file's
/// threads are explicit reply chains, so the same-author window is off.
fn model() -> Model {
    let handles = [
        "AppleSupport",
        "SpotifyCares",
        "Tesco",
        "VirginTrains",
        "British_Airways",
        "ChaseSupport",
        "O2",
        "comcastcares",
        "sprintcare",
        "SouthwestAir",
        "Ask_Spectrum",
        "HPSupport",
        "ChipotleTweets",
        "VerizonSupport",
        "marksandspencer",
        "AskPlayStation",
        "MicrosoftHelps",
        "UPSHelp",
    ];
    let mut toml = String::from(
        r#"
[[stages]]
id = "customer_service"

[[departments]]
id = "support"
name = "Support"
sla_first_response_hours = 1
sla_resolution_hours = 24

[[touchpoints]]
id = "support"
stage = "customer_service"
department = "support"
phrases = ["help", "support", "dm"]

[[channels]]
id = "x"
social = true

[care]
thread_window_hours = 0
"#,
    );
    for h in handles {
        toml.push_str(&format!(
            "\n[[brands]]\nid = \"{}\"\nown = true\nhandles = [\"@{h}\"]\n",
            h.to_lowercase().replace('_', "-")
        ));
    }
    Model::parse(&toml, Path::new("twcs.toml")).unwrap()
}

/// The documented mapping of a TWCS export (see docs/signal-format.md).
fn options() -> ReadOptions {
    let pairs = |p: &[(&str, &str)]| -> BTreeMap<String, String> {
        p.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    ReadOptions {
        format: None,
        csv: CsvOptions {
            columns: pairs(&[
                ("id", "tweet_id"),
                ("author", "author_id"),
                ("in_reply_to", "in_response_to_tweet_id"),
            ]),
            constants: pairs(&[("channel", "x")]),
        },
        date_format: None,
    }
}

/// Straight from the file: for every tweet, the earliest brand (`inbound`
/// false) tweet among its replies, their replies, and so on — in seconds
/// after the tweet; and how many brand tweets there are.
fn first_brand_reply_secs(path: &Path) -> (HashMap<String, i64>, usize) {
    struct Row {
        at: i64,
        brand: bool,
        parent: Option<String>,
    }
    let mut rows = HashMap::new();
    for r in csv::Reader::from_path(path).unwrap().records() {
        let r = r.unwrap();
        let at = DateTime::parse_from_str(&r[3], "%a %b %d %H:%M:%S %z %Y")
            .unwrap()
            .timestamp();
        let parent = Some(r[6].to_string()).filter(|p| !p.is_empty());
        let brand = r[2].eq_ignore_ascii_case("false");
        rows.insert(r[0].to_string(), Row { at, brand, parent });
    }
    let brand_tweets = rows.values().filter(|r| r.brand).count();
    let mut first: HashMap<String, i64> = HashMap::new();
    for row in rows.values().filter(|r| r.brand) {
        let mut up = row.parent.clone();
        while let Some(id) = up {
            let Some(ancestor) = rows.get(&id) else { break };
            let secs = row.at - ancestor.at;
            let e = first.entry(id.clone()).or_insert(secs);
            *e = (*e).min(secs);
            up = ancestor.parent.clone();
        }
    }
    (first, brand_tweets)
}

#[test]
fn first_response_times_on_real_support_threads_equal_the_file() {
    let model = model();
    let enricher = tce_text::enrich::Enricher::new(&model).unwrap();
    for file in ["sample.csv", "twcs_head.csv"] {
        let path = shared_data().join("twcs").join(file);
        let mut signals: Vec<_> = SignalReader::open(&path, &options(), &model)
            .unwrap()
            .map(|r| r.unwrap().signal)
            .collect();
        signals.sort_by_key(|s| s.created_at);
        let (expected, brand_tweets) = first_brand_reply_secs(&path);

        let mut cases: Vec<Case> = Vec::new();
        let (mut brand_posts, mut responses) = (0, 0);
        for s in signals {
            let e = tce_model::EnrichedSignal {
                enrichment: enricher.enrich(&s),
                signal: s,
            };
            let action = triage(&model, &e, &cases);
            match &action {
                Action::Open(o) => {
                    let id = CaseId(cases.len() as u64 + 1);
                    cases.push(Case::open(id, o.clone(), &model).unwrap().0);
                }
                Action::Skip(Skip::BrandPost { .. }) => brand_posts += 1,
                Action::Skip(_) => {}
                Action::Respond { .. } | Action::FollowUp { .. } => {
                    let (id, change) = action.change().unwrap();
                    responses += usize::from(matches!(action, Action::Respond { .. }));
                    let case = cases.iter_mut().find(|c| c.id == id).unwrap();
                    let v = case.version;
                    apply(
                        case,
                        v,
                        Actor::System,
                        change,
                        &model,
                        t("2030-01-01T00:00:00Z"),
                    )
                    .unwrap();
                }
            }
        }
        assert!(cases.len() >= 10, "{file}: {} cases", cases.len());
        assert!(responses >= 10, "{file}: {responses} responses");
        let mut answered = 0;
        for c in &cases {
            // The customer side of every thread is the customer's.
            for entry in c.thread.iter().filter(|e| e.party == Party::Customer) {
                let author = entry.author.as_deref().unwrap_or("");
                assert!(
                    author.chars().all(|ch| ch.is_ascii_digit()),
                    "{file}: brand tweet {} taken for a customer's",
                    entry.signal.external_id
                );
            }
            let opening = &c.thread[0].signal.external_id;
            let tce = c.sla.first_response_timing.map(|t| t.wall_secs);
            assert_eq!(
                tce,
                expected.get(opening).copied(),
                "{file}: case opened by tweet {opening}"
            );
            answered += usize::from(tce.is_some());
        }
        assert!(answered >= 10, "{file}: {answered} answered cases");
        // Every brand tweet was recognised as the brand's: a response, or a
        // brand post outside any case (a reply to a thread that opened none) —
        // never a customer signal.
        assert_eq!(responses + brand_posts, brand_tweets, "{file}");
    }
}
