//! Social customer care through the binary: the queue, one case, agents'
//! changes, care stats, and real support threads (TWCS) ingested through
//! the documented CSV mapping.

use super::{json, ok, shared_data, stderr, stdout, tce, workspace};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use tce_store::Store;

fn at(ago_minutes: i64) -> String {
    (Utc::now() - Duration::minutes(ago_minutes)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Three customers write to SkyWay on X; the brand answers the first.
fn small_world(dir: &Path) -> std::path::PathBuf {
    let lines = [
        serde_json::json!({"id": "1", "channel": "x", "author": "u_1", "author_followers": 5000,
            "created_at": at(180), "text": "@SkyWayAir my bag was lost again, terrible service, nobody helps"}),
        serde_json::json!({"id": "2", "channel": "x", "author": "SkyWaySupport", "in_reply_to": "1",
            "created_at": at(120), "text": "@u_1 So sorry, please DM us your bag tag number"}),
        serde_json::json!({"id": "3", "channel": "x", "author": "u_2",
            "created_at": at(50), "text": "@SkyWayAir how do I change my flight date?"}),
        serde_json::json!({"id": "4", "channel": "x", "author": "u_3",
            "created_at": at(30 * 60), "text": "@SkyWayAir flight delayed 5 hours again, I will switch to BlueJet"}),
    ];
    let path = dir.join("signals.jsonl");
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    std::fs::write(&path, text.join("\n")).unwrap();
    path
}

fn case_by_author(dir: &Path, author: &str) -> serde_json::Value {
    let all = json(&ok(tce(
        dir,
        &[
            "cases", "list", "--json", "--status", "new", "--status", "open", "--status",
            "pending", "--status", "resolved", "--status", "closed",
        ],
    )));
    all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["author"] == author)
        .unwrap_or_else(|| panic!("no case of {author}: {all:#}"))
        .clone()
}

#[test]
fn cases_list_show_respond_resolve_round_trip() {
    let ws = workspace("airline");
    let dir = ws.path();
    let file = small_world(dir);
    let file = file.to_str().unwrap();

    let first = json(&ok(tce(dir, &["ingest", file, "--json"])));
    assert_eq!(first["care"]["cases_opened"], 3, "{first:#}");
    assert_eq!(first["care"]["brand_replies"], 1, "{first:#}");
    // Re-ingesting opens nothing and records no reply twice.
    let again = json(&ok(tce(dir, &["ingest", file, "--json"])));
    assert_eq!(again["duplicates"], 4);
    for k in ["cases_opened", "brand_replies", "follow_ups"] {
        assert_eq!(again["care"][k], 0, "{k}: {again:#}");
    }
    let text = stdout(&ok(tce(dir, &["ingest", file])));
    assert!(text.contains("care: 0 cases opened"), "{text}");
    // The brand's reply is stored for the thread but is no customer signal.
    let stats = json(&ok(tce(dir, &["stats", "--json"])));
    assert_eq!(stats["signals"], 3, "{stats:#}");

    // The queue: the domain's field names, RFC 3339 times.
    let list = json(&ok(tce(dir, &["cases", "list", "--json"])));
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{list:#}");
    let keys: BTreeSet<&str> = items[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let expected: BTreeSet<&str> = [
        "id",
        "kind",
        "brand",
        "channel",
        "author",
        "touchpoint",
        "department",
        "routing_reason",
        "status",
        "priority",
        "priority_score",
        "assignee",
        "opened_at",
        "last_customer_at",
        "first_response_at",
        "last_response_at",
        "resolved_at",
        "closed_at",
        "reopened",
        "messages",
        "sla",
        "version",
    ]
    .into_iter()
    .collect();
    assert_eq!(keys, expected);
    for c in items {
        DateTime::parse_from_rfc3339(c["opened_at"].as_str().unwrap()).unwrap();
        DateTime::parse_from_rfc3339(c["sla"]["first_response"]["due"].as_str().unwrap()).unwrap();
        assert_eq!(c["kind"], "care");
        assert_eq!(c["brand"], "skyway");
    }
    // Priority first.
    let prios: Vec<&str> = items
        .iter()
        .map(|c| c["priority"].as_str().unwrap())
        .collect();
    let mut sorted = prios.clone();
    sorted.sort();
    assert_eq!(prios, sorted);
    let answered = case_by_author(dir, "u_1");
    assert!(answered["first_response_at"].is_string(), "{answered:#}");
    let table = stdout(&ok(tce(dir, &["cases", "list"])));
    assert!(
        table.contains("3 cases") && table.contains("reason"),
        "{table}"
    );
    assert!(!table.contains('\x1b'), "colour off a terminal: {table}");

    // One case: its thread with the texts, in time order.
    let id = answered["id"].to_string();
    let shown = json(&ok(tce(dir, &["cases", "show", &id, "--json"])));
    let thread = shown["thread"].as_array().unwrap();
    assert_eq!(thread.len(), 2, "{shown:#}");
    assert_eq!(thread[0]["party"], "customer");
    assert!(thread[0]["text"].as_str().unwrap().contains("bag was lost"));
    assert_eq!(thread[1]["party"], "brand");
    assert!(thread[1]["text"].as_str().unwrap().contains("bag tag"));
    assert_eq!(shown["factors"].as_array().unwrap().len(), 5);
    let text = stdout(&ok(tce(dir, &["cases", "show", &id])));
    for part in [
        "priority factors",
        "SLA clocks",
        "thread (2 messages)",
        "audit trail",
        "Baggage services",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }

    // An agent works the question: assign, respond, resolve.
    let q = case_by_author(dir, "u_2");
    let id = q["id"].to_string();
    assert_eq!(q["status"], "new");
    let out = stdout(&ok(tce(
        dir,
        &["cases", "assign", &id, "ana", "--agent", "bob"],
    )));
    assert!(out.contains("new → open"), "{out}");
    ok(tce(
        dir,
        &[
            "cases",
            "respond",
            &id,
            "--text",
            "Use Manage booking on our site",
            "--agent",
            "ana",
        ],
    ));
    let done = json(&ok(tce(
        dir,
        &["cases", "resolve", &id, "--agent", "ana", "--json"],
    )));
    assert_eq!(done["status"], "resolved");
    assert_eq!(done["assignee"], "ana");
    let thread = done["thread"].as_array().unwrap();
    assert_eq!(thread.len(), 2);
    assert_eq!(thread[1]["agent"], "ana");
    assert_eq!(thread[1]["text"], "Use Manage booking on our site");
    let kinds: Vec<&str> = done["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "assignee",
            "status",
            "response",
            "first_response",
            "status",
            "resolved"
        ]
    );
    let actors: Vec<&str> = done["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(actors[..2], ["system", "bob"]);
    // The default queue is the active cases.
    let active = json(&ok(tce(dir, &["cases", "list", "--json"])));
    assert_eq!(active["items"].as_array().unwrap().len(), 2);
    let resolved = json(&ok(tce(
        dir,
        &["cases", "list", "--status", "resolved", "--json"],
    )));
    assert_eq!(resolved["items"][0]["id"], done["id"]);

    // A stale version is refused, saying the current one.
    let current = done["version"].as_u64().unwrap();
    let stale = tce(
        dir,
        &[
            "cases",
            "note",
            &id,
            "--text",
            "late",
            "--version",
            "1",
            "--agent",
            "ana",
        ],
    );
    assert_eq!(stale.status.code(), Some(1));
    let err = stderr(&stale);
    assert!(
        err.contains(&format!("version {current} is current"))
            && err.contains(&format!("--version {current}")),
        "{err}"
    );
    // An invalid transition names the allowed ones.
    let bad = tce(dir, &["cases", "pending", &id, "--agent", "ana"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("allowed: open, closed"),
        "{}",
        stderr(&bad)
    );
    // An unknown department gets a did-you-mean.
    let typo = tce(dir, &["cases", "route", &id, "bagage", "--agent", "ana"]);
    assert!(
        stderr(&typo).contains("did you mean \"baggage\""),
        "{}",
        stderr(&typo)
    );
    let typo = tce(dir, &["cases", "list", "--department", "custmer_care"]);
    assert!(
        stderr(&typo).contains("did you mean \"customer_care\""),
        "{}",
        stderr(&typo)
    );
    // Nothing of that changed the case.
    let after = json(&ok(tce(dir, &["cases", "show", &id, "--json"])));
    assert_eq!(after["version"].as_u64(), Some(current));
    // Re-opened, it can be worked again; the reopen is counted.
    ok(tce(dir, &["cases", "reopen", &id, "--agent", "ana"]));

    // Care stats as JSON are tce-insight's figures for the same store.
    let cli = ok(tce(dir, &["care", "stats", "--json"]));
    let printed = json(&cli);
    let now: DateTime<Utc> = serde_json::from_value(printed["now"].clone()).unwrap();
    let model = tce_model::Model::load(&dir.join("tce.toml")).unwrap();
    let store = tce_store::SqliteStore::open(&dir.join("tce.db")).unwrap();
    let direct = tce_insight::care::stats(
        &store,
        &model,
        &tce_insight::care::CareStatsRequest::default(),
        now,
    )
    .unwrap();
    assert_eq!(
        stdout(&cli).trim_end(),
        serde_json::to_string_pretty(&direct).unwrap()
    );
    let reopened: u64 = direct.rows.iter().map(|r| r.reopened).sum();
    assert_eq!(reopened, 1);
    let text = stdout(&ok(tce(dir, &["care", "stats"])));
    for part in [
        "care by department",
        "days of events",
        "first response p50/p90",
        "too thin",
        "ASSUMED",
    ] {
        assert!(text.contains(part), "{part}: {text}");
    }
    let by = tce(dir, &["care", "stats", "--by", "team"]);
    assert!(
        stderr(&by).contains("department, channel or brand"),
        "{}",
        stderr(&by)
    );
}

/// `[[brands]]` for every support handle of a TWCS file (its outbound
/// authors), one department, and X as the channel.
fn twcs_model(handles: &BTreeSet<String>) -> String {
    let mut toml = String::from(
        r#"[workspace]
name = "Customer Support on Twitter"

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
    toml
}

struct Tweet {
    at: i64,
    brand: bool,
    parent: Option<String>,
}

/// Straight from the file: the tweets, and for every tweet the earliest
/// brand tweet among its replies (and theirs…), in seconds after it.
fn read_twcs(path: &Path) -> (HashMap<String, Tweet>, HashMap<String, i64>) {
    let mut rows = HashMap::new();
    for r in csv::Reader::from_path(path).unwrap().records() {
        let r = r.unwrap();
        let at = DateTime::parse_from_str(&r[3], "%a %b %d %H:%M:%S %z %Y")
            .unwrap()
            .timestamp();
        let parent = Some(r[6].to_string()).filter(|p| !p.is_empty());
        let brand = r[2].eq_ignore_ascii_case("false");
        rows.insert(r[0].to_string(), Tweet { at, brand, parent });
    }
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
    (rows, first)
}

#[test]
fn twcs_threads_go_in_through_the_documented_mapping() {
    for file in ["sample.csv", "twcs_head.csv"] {
        let path = shared_data().join("twcs").join(file);
        let handles: BTreeSet<String> = csv::Reader::from_path(&path)
            .unwrap()
            .records()
            .map(|r| r.unwrap())
            .filter(|r| r[2].eq_ignore_ascii_case("false"))
            .map(|r| r[1].to_string())
            .collect();
        let (tweets, expected) = read_twcs(&path);
        let customers = tweets.values().filter(|t| !t.brand).count();
        let brand_tweets = tweets.len() - customers;

        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        std::fs::write(dir.join("tce.toml"), twcs_model(&handles)).unwrap();
        // The mapping of docs/care.md.
        let summary = json(&ok(tce(
            dir,
            &[
                "ingest",
                path.to_str().unwrap(),
                "--map",
                "id=tweet_id",
                "--map",
                "author=author_id",
                "--map",
                "text=text",
                "--map",
                "created_at=created_at",
                "--map",
                "in_reply_to=in_response_to_tweet_id",
                "--set",
                "channel=x",
                "--json",
            ],
        )));
        assert_eq!(
            summary["accepted"],
            tweets.len() as u64,
            "{file}: {summary:#}"
        );
        assert_eq!(summary["rejected"], 0, "{file}");
        let replies = summary["care"]["brand_replies"].as_u64().unwrap();
        assert!(replies >= 10, "{file}: {summary:#}");
        // Brand replies are stored, never counted as customer signals.
        let stats = json(&ok(tce(dir, &["stats", "--json"])));
        assert_eq!(stats["signals"], customers as u64, "{file}: {stats:#}");

        let store = tce_store::SqliteStore::open(&dir.join("tce.db")).unwrap();
        let page = store
            .cases(&tce_store::CaseQuery {
                statuses: tce_care::Status::ALL.to_vec(),
                limit: tce_store::CaseQuery::MAX_LIMIT,
                ..Default::default()
            })
            .unwrap();
        assert!(page.items.len() >= 10, "{file}: {} cases", page.items.len());
        let mut answered = 0;
        let mut responses = 0;
        for case in &page.items {
            for e in &case.thread {
                let brand = tweets[&e.signal.external_id].brand;
                assert_eq!(
                    e.party == tce_care::Party::Brand,
                    brand,
                    "{file}: tweet {} taken for the wrong party",
                    e.signal.external_id
                );
                responses += usize::from(brand);
            }
            let opening = &case.thread[0].signal.external_id;
            let tce = case.sla.first_response_timing.map(|t| t.wall_secs);
            assert_eq!(
                tce,
                expected.get(opening).copied(),
                "{file}: first response of the case opened by tweet {opening}"
            );
            answered += usize::from(tce.is_some());
        }
        assert!(answered >= 10, "{file}: {answered} answered cases");
        assert_eq!(responses as u64, replies, "{file}");
        assert!(responses <= brand_tweets);
    }
}
