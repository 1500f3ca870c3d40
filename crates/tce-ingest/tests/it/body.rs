//! Request bodies for the HTTP batch API.

use crate::{model, render, shared_data};
use expect_test::{expect, Expect};
use tce_ingest::{parse_body, Format, ReadOptions};

fn check(body: &[u8], format: Option<Format>, expect: Expect) {
    let out = match parse_body(body, format, &ReadOptions::default(), &model(), "request") {
        Ok((parsed, rejects)) => {
            assert!(rejects.iter().all(|r| r.source == "request"));
            let items: Vec<_> = parsed
                .into_iter()
                .map(Ok)
                .chain(rejects.into_iter().map(Err))
                .collect();
            render(&items)
        }
        Err(e) => format!("error: {e}\n"),
    };
    expect.assert_eq(&out);
}

#[test]
fn a_json_array_of_records() {
    check(
        br#"[{"id":"1","channel":"x","text":"a","created_at":"2026-03-01T10:00:00Z"},
            {"id":"2","channel":"pigeon","text":"b","created_at":"2026-03-01T10:00:00Z"},
            7,
            {"id":"4","channel":"email","text":"d","created_at":"2026-03-01T10:00:00Z","brand":"Nimbus"}]"#,
        None,
        expect![[r#"
            1 ok x/1 2026-03-01T10:00:00Z "a"
            4 ok email/4 2026-03-01T10:00:00Z brand=nimbus "d"
            2 REJECT unknown channel "pigeon" (model channels: x, facebook, instagram, linkedin, youtube, tripadvisor, reddit, blog, app_store, survey, call_center, email, store, web, chat)
            3 REJECT expected a JSON object, got a number
        "#]],
    );
}

#[test]
fn ndjson_whose_first_line_is_garbage_keeps_its_records() {
    check(
        b"0\n{\"id\":\"1\",\"channel\":\"x\",\"text\":\"a\",\"created_at\":\"2026-03-01T10:00:00Z\"}\n",
        Some(Format::Jsonl),
        expect![[r#"
            2 ok x/1 2026-03-01T10:00:00Z "a"
            1 REJECT expected a JSON object, got a number
        "#]],
    );
    check(
        b"0\nnull\n",
        None,
        expect![[r#"
        error: not JSON: expected a JSON array, NDJSON or an X/Reddit payload, got "0\nnull\n"
    "#]],
    );
}

#[test]
fn ndjson_and_a_single_record() {
    check(
        b"{\"id\":\"1\",\"channel\":\"x\",\"text\":\"a\",\"created_at\":\"2026-03-01T10:00:00Z\"}\n{broken\n\n{\"id\":\"3\",\"channel\":\"x\",\"text\":\"c\",\"created_at\":\"2026-03-01T10:00:00Z\"}\n",
        None,
        expect![[r#"
            1 ok x/1 2026-03-01T10:00:00Z "a"
            4 ok x/3 2026-03-01T10:00:00Z "c"
            2 REJECT malformed JSON: key must be a string (at column 2)
        "#]],
    );
    check(
        br#"{"id":"1","channel":"x","text":"one","created_at":"2026-03-01T10:00:00Z"}"#,
        Some(Format::Jsonl),
        expect![[r#"
            1 ok x/1 2026-03-01T10:00:00Z "one"
        "#]],
    );
}

#[test]
fn x_and_reddit_payloads() {
    let x = std::fs::read(
        shared_data().join("payloads/twitter_v2/recent_search_tweet_fields_expanded_users.json"),
    )
    .unwrap();
    let (parsed, rejects) =
        parse_body(&x, None, &ReadOptions::default(), &model(), "request").unwrap();
    assert_eq!((parsed.len(), rejects.len()), (4, 0));
    let reddit =
        std::fs::read(shared_data().join("payloads/reddit/r_all_search_listing_2016.json"))
            .unwrap();
    let (parsed, rejects) =
        parse_body(&reddit, None, &ReadOptions::default(), &model(), "request").unwrap();
    assert_eq!((parsed.len(), rejects.len()), (6, 0));
    let (parsed, _) = parse_body(
        &reddit,
        Some(Format::Reddit),
        &ReadOptions::default(),
        &model(),
        "request",
    )
    .unwrap();
    assert_eq!(parsed.len(), 6);
}

#[test]
fn bodies_that_are_not_json_are_errors() {
    check(
        b"id,text\n1,hello\n",
        None,
        expect![[r#"
        error: not JSON: expected a JSON array, NDJSON or an X/Reddit payload, got "id,text\n1,hello\n"
    "#]],
    );
    check(
        b"  \n",
        None,
        expect![[r#"
        error: not JSON: the body is empty
    "#]],
    );
    check(
        b"[{\"id\":1},",
        None,
        expect![[r#"
        error: jsonl input is not valid JSON: EOF while parsing a value at line 1 column 10
    "#]],
    );
    check(
        b"<html>",
        Some(Format::Jsonl),
        expect![[r#"
        error: not JSON: expected a JSON array, NDJSON or an X/Reddit payload, got "<html>"
    "#]],
    );
}

#[test]
fn csv_bodies_when_asked() {
    let opts = ReadOptions {
        format: Some(Format::Csv),
        ..ReadOptions::default()
    };
    let (parsed, rejects) = parse_body(
        b"id,channel,text,created_at\n1,web,form complaint,2026-03-01 08:00:00\n2,web,,2026-03-01 08:00:00\n",
        None,
        &opts,
        &model(),
        "request",
    )
    .unwrap();
    assert_eq!(parsed.len(), 1);
    assert_eq!(
        (rejects[0].line, rejects[0].reason.as_str()),
        (3, "missing text")
    );
}
