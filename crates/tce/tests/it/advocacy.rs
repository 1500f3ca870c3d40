//! `tce advocates`, `tce moments`, `tce ideas` on a demo world: JSON with
//! the domain's field names and RFC 3339 times; workflows refuse invalid
//! transitions with a clear message and a failure exit.

use crate::{ok, stderr, stdout, tce};
use serde_json::Value;

fn json(o: std::process::Output) -> Value {
    serde_json::from_str(&stdout(&ok(o))).expect("JSON")
}

fn rfc3339(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

#[test]
fn advocates_moments_and_ideas_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo");
    ok(tce(
        &ws,
        &["demo", "--signals", "20000", "--seed", "5", "--no-serve"],
    ));

    let adv = json(tce(
        &ws,
        &["advocates", "--brand", "skyway", "--json", "--limit", "5"],
    ));
    let list = adv["advocates"].as_array().unwrap();
    assert_eq!(list.len(), 5);
    for a in list {
        assert_eq!(a["brand"], "skyway");
        assert!(a["author"].is_string() && a["score"].is_number() && a["class"].is_string());
        assert!(a["reasons"].as_array().is_some_and(|r| !r.is_empty()));
        assert!(rfc3339(&a["last_at"]), "{a}");
    }
    let net = adv["net_advocacy"].as_array().unwrap();
    assert_eq!(net.len(), 1);
    assert!(net[0]["low"].as_f64().unwrap() <= net[0]["value"].as_f64().unwrap());
    let text = stdout(&ok(tce(&ws, &["advocates"])));
    assert!(
        text.contains("Net advocacy") && text.contains("reasons"),
        "{text}"
    );

    let ideas = json(tce(&ws, &["ideas", "list", "--json", "--limit", "5"]));
    let ideas = ideas.as_array().unwrap();
    assert!(!ideas.is_empty());
    let first = &ideas[0];
    for k in [
        "id", "brand", "label", "status", "volume", "reach", "rank", "version",
    ] {
        assert!(!first[k].is_null(), "{k}: {first}");
    }
    assert!(rfc3339(&first["first_seen"]) && rfc3339(&first["last_seen"]));
    let id = first["id"].as_i64().unwrap().to_string();
    let shown = json(tce(&ws, &["ideas", "show", &id, "--json"]));
    assert!(shown["examples"].as_array().is_some_and(|e| !e.is_empty()));
    let one = json(tce(
        &ws,
        &["ideas", "show", &id, "--examples", "1", "--json"],
    ));
    assert_eq!(one["examples"].as_array().map(Vec::len), Some(1));

    // new → shipped is refused; new → under_review → planned → shipped goes.
    let refused = tce(&ws, &["ideas", "status", &id, "shipped", "--agent", "ann"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("cannot move idea from new to shipped"),
        "{}",
        stderr(&refused)
    );
    for s in ["under_review", "planned", "shipped"] {
        ok(tce(
            &ws,
            &["ideas", "status", &id, s, "--agent", "ann", "--note", "ok"],
        ));
    }
    let shipped = json(tce(&ws, &["ideas", "show", &id, "--json"]));
    assert_eq!(shipped["status"], "shipped");
    assert!(rfc3339(&shipped["shipped_at"]));
    assert_eq!(shipped["events"].as_array().unwrap().len(), 6, "{shipped}");

    // Merge two ideas of one brand.
    let brand = first["brand"].as_str().unwrap();
    let same = json(tce(
        &ws,
        &["ideas", "list", "--json", "--brand", brand, "--limit", "50"],
    ));
    let other = same
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] != first["id"])
        .expect("a second idea")["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let merged = json(tce(
        &ws,
        &["ideas", "merge", &id, &other, "--agent", "ann", "--json"],
    ));
    assert!(merged["volume"].as_u64().unwrap() > first["volume"].as_u64().unwrap());

    // Split two of its suggestions back out: they move, the counts add up,
    // and both ideas record it.
    let refs: Vec<String> = merged["examples"].as_array().unwrap()[..2]
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["channel"].as_str().unwrap(),
                e["external_id"].as_str().unwrap()
            )
        })
        .collect();
    let part = json(tce(
        &ws,
        &[
            "ideas",
            "split",
            &id,
            "--signals",
            &refs.join(","),
            "--agent",
            "ann",
            "--json",
        ],
    ));
    assert_eq!(part["volume"], 2, "{part}");
    assert_eq!(part["events"][0]["kind"], "split_from");
    let kept = json(tce(&ws, &["ideas", "show", &id, "--json"]));
    assert_eq!(
        kept["volume"].as_u64().unwrap() + 2,
        merged["volume"].as_u64().unwrap()
    );
    assert_eq!(
        kept["events"].as_array().unwrap().last().unwrap()["kind"],
        "split_into"
    );
    // All of an idea's suggestions, or none, is refused with the reason.
    let part_id = part["id"].as_i64().unwrap().to_string();
    let all = tce(
        &ws,
        &[
            "ideas",
            "split",
            &part_id,
            "--signals",
            &refs.join(","),
            "--agent",
            "ann",
        ],
    );
    assert!(!all.status.success());
    assert!(
        stderr(&all).contains("at least one must stay"),
        "{}",
        stderr(&all)
    );
    let none = tce(
        &ws,
        &[
            "ideas",
            "split",
            &part_id,
            "--signals",
            "",
            "--agent",
            "ann",
        ],
    );
    assert!(!none.status.success());
    assert!(
        stderr(&none).contains("is not CHANNEL:EXTERNAL_ID"),
        "{}",
        stderr(&none)
    );

    let moments = json(tce(&ws, &["moments", "list", "--json", "--status", "new"]));
    let m = &moments["moments"].as_array().unwrap()[0];
    assert!(rfc3339(&m["created_at"]) && m["status"] == "new");
    let mid = m["id"].as_i64().unwrap().to_string();
    let refused = tce(&ws, &["moments", "mark", &mid, "shared"]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("cannot move moment from new to shared"));
    let sent = json(tce(&ws, &["moments", "mark", &mid, "sent", "--json"]));
    assert_eq!(sent["status"], "sent");
    assert!(rfc3339(&sent["sent_at"]));
    assert!(moments["conversion"]
        .as_array()
        .is_some_and(|c| !c.is_empty()));
}
