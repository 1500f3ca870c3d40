//! Real X API v2 and Reddit responses (shared/data/payloads), plus the cases
//! they do not cover: users with follower counts, cassettes, a missing channel.

use crate::{model, read_bytes, read_path, rejects, render, shared_data, signals};
use expect_test::expect;
use std::path::PathBuf;
use tce_ingest::{Format, ReadOptions, SignalReader};
use tce_model::Model;

fn payload_files(sub: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shared_data().join("payloads").join(sub))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_shared_payload_ingests_without_rejects() {
    let model = model();
    let mut summary = String::new();
    for (sub, format, channel) in [
        ("twitter_v2", Format::TwitterV2, "x"),
        ("reddit", Format::Reddit, "reddit"),
    ] {
        for path in payload_files(sub) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let reader = SignalReader::open(&path, &ReadOptions::default(), &model).unwrap();
            assert_eq!(reader.format(), format, "{name}");
            let items = read_path(&path, &ReadOptions::default(), &model);
            assert_eq!(rejects(&items), Vec::<&tce_ingest::Reject>::new(), "{name}");
            let signals = signals(&items);
            assert!(!signals.is_empty(), "{name}");
            for s in &signals {
                assert_eq!(s.channel, channel);
                assert!(
                    !s.text.trim().is_empty() && !s.external_id.is_empty(),
                    "{s:?}"
                );
                assert!(
                    s.url.as_deref().is_some_and(
                        |u| u.contains(&s.external_id.replace("t1_", "").replace("t3_", ""))
                    ),
                    "{s:?}"
                );
                let year: i32 = s.created_at.format("%Y").to_string().parse().unwrap();
                assert!((2010..=2023).contains(&year), "{s:?}");
                assert_eq!(s.brand, None);
            }
            let authors = signals.iter().filter(|s| s.author.is_some()).count();
            summary.push_str(&format!(
                "{name}: {} signals, {authors} with author\n",
                signals.len()
            ));
        }
    }
    expect![[r#"
        recent_search_default.json: 10 signals, 0 with author
        recent_search_expanded_media.json: 10 signals, 0 with author
        recent_search_tweet_fields.json: 10 signals, 0 with author
        recent_search_tweet_fields_expanded_users.json: 4 signals, 4 with author
        tweepy_cassette_search_recent_2022.json: 10 signals, 0 with author
        tweepy_cassette_users_mentions_2022.json: 10 signals, 0 with author
        r_all_search_listing_2016.json: 6 signals, 6 with author
        r_askreddit_comments_listing_2016.json: 100 signals, 100 with author
        r_askreddit_new_listing_2016.json: 100 signals, 100 with author
    "#]]
    .assert_eq(&summary);
}

#[test]
fn tweets_get_authors_times_replies_and_links() {
    let path =
        shared_data().join("payloads/twitter_v2/recent_search_tweet_fields_expanded_users.json");
    expect![[r#"
        1 ok x/1276035977375477760 2020-06-25T06:14:19Z author=happycamper reply_to=1275653067283759104 url=https://x.com/happycamper/status/1276035977375477760 lang=en "@snowman Ooo, thanks error mes"
        2 ok x/1275882613572583424 2020-06-24T20:04:54Z author=snowman reply_to=1273733248749690880 url=https://x.com/snowman/status/1275882613572583424 lang=en "Using Labs Recent search for p"
        3 ok x/1275763727908798470 2020-06-24T12:12:29Z author=jellybeanjones reply_to=1275653067283759104 url=https://x.com/jellybeanjones/status/1275763727908798470 "@snowman @happycamper https://"
        4 ok x/1275653067283759104 2020-06-24T04:52:46Z author=snowman reply_to=1274086728471461889 url=https://x.com/snowman/status/1275653067283759104 lang=en "@happycamper Wait, when I try "
    "#]]
    .assert_eq(&render(&read_path(&path, &ReadOptions::default(), &model())));
    // Without created_at the snowflake id gives the time.
    let path = shared_data().join("payloads/twitter_v2/tweepy_cassette_search_recent_2022.json");
    expect![[r#"
        1 ok x/1578516068309794817 2022-10-07T22:42:12.752Z url=https://x.com/i/web/status/1578516068309794817 "2022-10-07 22:42:12.637103 twe"
        2 ok x/1578515564971970560 2022-10-07T22:40:12.747Z url=https://x.com/i/web/status/1578515564971970560 "2022-10-07 22:40:12.640354 twe"
    "#]]
    .assert_eq(&render(&read_path(&path, &ReadOptions::default(), &model())[..2]));
}

#[test]
fn reddit_posts_and_comments_map_title_body_author_and_parent() {
    let items = |file: &str| {
        read_path(
            &shared_data().join("payloads/reddit").join(file),
            &ReadOptions::default(),
            &model(),
        )
    };
    expect![[r#"
        1 ok reddit/t3_48fbm9 2016-03-01T08:37:38Z author=RedHeadQc url=https://www.reddit.com/r/AskReddit/comments/48fbm9/serious_parents_of_reddit_whats_the_biggest_lie/ "[Serious] Parents of Reddit, w"
        2 ok reddit/t3_48fbig 2016-03-01T08:36:24Z author=LUXURY_COCK_RINGS url=https://www.reddit.com/r/AskReddit/comments/48fbig/how_would_you_react_if_you_found_out_that_your/ "How would you react if you fou"
    "#]]
    .assert_eq(&render(&items("r_askreddit_new_listing_2016.json")[..2]));
    expect![[r#"
        1 ok reddit/t1_d4y8bdp 2016-07-04T00:04:50Z author=preppypuppy reply_to=t3_4r4inc url=https://www.reddit.com/r/AskReddit/comments/4r4inc/_/d4y8bdp/ "great, life is so much better "
        2 ok reddit/t1_d4y8bdo 2016-07-04T00:04:50Z author=Hankko reply_to=t3_4r4jmt url=https://www.reddit.com/r/AskReddit/comments/4r4jmt/_/d4y8bdo/ "People believe that the soul e"
    "#]]
    .assert_eq(&render(&items("r_askreddit_comments_listing_2016.json")[..2]));
}

#[test]
fn follower_counts_come_from_included_users() {
    let body = br#"{"data":[{"id":"1500000000000000000","text":"@SkyWayAir lost my bag","author_id":"9","lang":"en"},
                           {"id":"1500000000000000001","text":"same","author_id":"404","referenced_tweets":[{"type":"quoted","id":"5"},{"type":"replied_to","id":"1500000000000000000"}]}],
                  "includes":{"users":[{"id":"9","username":"flyer","public_metrics":{"followers_count":1234}}]},
                  "meta":{"result_count":2}}"#;
    expect![[r#"
        1 ok x/1500000000000000000 2022-03-05T06:47:23.309Z author=flyer followers=1234 url=https://x.com/flyer/status/1500000000000000000 lang=en "@SkyWayAir lost my bag"
        2 ok x/1500000000000000001 2022-03-05T06:47:23.309Z reply_to=1500000000000000000 url=https://x.com/i/web/status/1500000000000000001 "same"
    "#]]
    .assert_eq(&render(&read_bytes("search.json", body, &ReadOptions::default())));
}

#[test]
fn cassettes_yield_every_recorded_v2_body() {
    let search = std::fs::read_to_string(
        shared_data().join("payloads/twitter_v2/recent_search_tweet_fields.json"),
    )
    .unwrap();
    let cassette = serde_json::json!({
        "version": 1,
        "interactions": [
            {"request": {"method": "GET", "uri": "https://api.twitter.com/2/users/me"},
             "response": {"status": {"code": 200}, "body": {"string": "{\"data\":{\"id\":\"1\",\"name\":\"me\",\"username\":\"me\"}}"}}},
            {"request": {"method": "GET", "uri": "https://api.twitter.com/2/tweets/search/recent"},
             "response": {"status": {"code": 200}, "body": {"string": search}}},
        ]
    });
    let items = read_bytes(
        "cassette.json",
        cassette.to_string().as_bytes(),
        &ReadOptions::default(),
    );
    assert_eq!(rejects(&items).len(), 0);
    assert_eq!(signals(&items).len(), 10);
}

#[test]
fn a_model_without_the_channel_rejects_naming_it() {
    let t = tce_model::templates::template("airline").unwrap();
    let toml = t.toml.replace(
        "[[channels]]\nid = \"x\"\nname = \"X / Twitter\"\nsocial = true\n",
        "",
    );
    let toml = toml.replace(
        "[[channels]]\nid = \"reddit\"\nname = \"Reddit\"\nsocial = true\n",
        "",
    );
    // The care costs name the channel too.
    let toml = toml.replace(
        "[care.cost_per_contact]\nx = 1.5\n",
        "[care.cost_per_contact]\n",
    );
    let model = Model::parse(&toml, std::path::Path::new("no_x.toml")).unwrap();
    assert!(model.channel("x").is_none() && model.channel("reddit").is_none());
    for (sub, channel) in [("twitter_v2", "x"), ("reddit", "reddit")] {
        let path = &payload_files(sub)[0];
        let items = read_path(path, &ReadOptions::default(), &model);
        assert!(signals(&items).is_empty());
        for r in rejects(&items) {
            assert!(
                r.reason
                    .starts_with(&format!("unknown channel \"{channel}\"")),
                "{}",
                r.reason
            );
        }
    }
}

#[test]
fn documents_that_are_not_json_or_not_the_format_are_errors() {
    let open = |name: &str, bytes: &[u8], format: Option<Format>| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let opts = ReadOptions {
            format,
            ..ReadOptions::default()
        };
        match SignalReader::open(&path, &opts, &model()) {
            Ok(r) => format!("opened as {}", r.format()),
            Err(e) => e.to_string(),
        }
    };
    expect!["twitter input is not valid JSON: EOF while parsing a list at line 1 column 30"]
        .assert_eq(&open(
            "cut.json",
            b"{\"data\":[{\"id\":\"1\",\"text\":\"a\"}",
            None,
        ));
    expect![[r#"not an X API v2 response: no "data" with tweets (expected {"data":[{"id":…,"text":…}],"includes":{"users":[…]}})"#]].assert_eq(&open("wrong.json", b"{\"kind\":\"Listing\",\"data\":{\"children\":[]}}", Some(Format::TwitterV2)));
    expect![[r#"not a Reddit listing: expected {"kind":"Listing","data":{"children":[…]}} or an array of listings"#]].assert_eq(&open("wrong.json", b"{\"data\":[]}", Some(Format::Reddit)));
    expect!["opened as twitter"].assert_eq(&open(
        "empty.json",
        b"{\"meta\":{\"result_count\":0}}",
        None,
    ));
}
