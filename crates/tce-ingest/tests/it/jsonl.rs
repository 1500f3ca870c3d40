//! Our JSONL schema: every field, and every way a line can be wrong.

use crate::{read_bytes, render};
use expect_test::{expect, Expect};
use tce_ingest::ReadOptions;

fn check(jsonl: &[u8], expect: Expect) {
    let items = read_bytes("signals.jsonl", jsonl, &ReadOptions::default());
    expect.assert_eq(&render(&items));
}

#[test]
fn every_field_lands_in_the_signal() {
    check(
        br#"{"id":42,"channel":"survey","text":"Crew were lovely","created_at":"2026-03-01T12:00:00+02:00","brand":"@SkyWayAir","author":"u123","author_followers":17,"rating":4,"rating_scale":"csat5","stage_ratings":{"operations":5,"customer_service":3.5},"in_reply_to":7,"url":"https://example.com/r/42","lang":"en","extra":{"ignored":true}}
{"id":"a\"1","channel":"x","text":"caf\u00e9 was \"fine\"","created_at":"2026-03-01 10:00:00","brand":"Blue Jet"}
"#,
        expect![[r#"
            1 ok survey/42 2026-03-01T10:00:00Z brand=skyway author=u123 followers=17 rating=4/csat5 operations=5 customer_service=3.5 reply_to=7 url=https://example.com/r/42 lang=en "Crew were lovely"
            2 ok x/a"1 2026-03-01T10:00:00Z brand=bluejet "café was \"fine\""
        "#]],
    );
}

#[test]
fn each_bad_line_is_rejected_with_its_line_and_reason_and_the_rest_lands() {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"id\":\"1\",\"channel\":\"x\",\"text\":\"first good\",\"created_at\":\"2026-03-01T10:00:00Z\"}\n");
    input.extend_from_slice(b"{not json\n");
    input.extend_from_slice(b"{\"id\":\"3\",\"channel\":\"x\",\"text\":\"  \",\"created_at\":\"2026-03-01T10:00:00Z\"}\n");
    input.extend_from_slice(b"{\"id\":\"4\",\"channel\":\"pigeon\",\"text\":\"hi\",\"created_at\":\"2026-03-01T10:00:00Z\"}\n");
    input.extend_from_slice(
        b"{\"id\":\"5\",\"channel\":\"x\",\"text\":\"late\",\"created_at\":\"yesterday\"}\n",
    );
    input.extend_from_slice(b"{\"id\":\"6\",\"channel\":\"x\",\"text\":\"bro\xffken\",\"created_at\":\"2026-03-01T10:00:00Z\"}\n");
    input.extend_from_slice(b"{\"id\":\"7\",\"channel\":\"tripadvisor\",\"text\":\"meh\",\"created_at\":\"2026-03-01T10:00:00Z\",\"rating\":6,\"rating_scale\":\"stars5\"}\n");
    input.extend_from_slice(b"{\"id\":\"8\",\"channel\":\"survey\",\"text\":\"ok\",\"created_at\":\"2026-03-01T10:00:00Z\",\"rating_scale\":\"csat5\",\"stage_ratings\":{\"teleport\":3}}\n");
    input.extend_from_slice(b"{\"id\":\"9\",\"channel\":\"x\",\"text\":\"last good\",\"created_at\":\"2026-03-02T10:00:00Z\"}\n");
    check(
        &input,
        expect![[r#"
            1 ok x/1 2026-03-01T10:00:00Z "first good"
            2 REJECT malformed JSON: key must be a string (at column 2)
            3 REJECT missing text
            4 REJECT unknown channel "pigeon" (model channels: x, facebook, instagram, linkedin, youtube, tripadvisor, reddit, blog, app_store, survey, call_center, email, store, web, chat)
            5 REJECT bad created_at "yesterday": not a timestamp (accepted forms: RFC 3339 (2026-03-15T10:00:00Z), YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS], YYYY/MM/DD HH:MM:SS, DD/MM/YYYY HH:MM:SS, Unix seconds or milliseconds)
            6 REJECT invalid UTF-8 at byte 35
            7 REJECT bad rating: rating 6 is outside the stars5 scale (1–5)
            8 REJECT unknown stage "teleport" in stage_ratings (model stages: rnd, branding_pr, marketing, sales, operations, customer_service)
            9 ok x/9 2026-03-02T10:00:00Z "last good"
        "#]],
    );
}

#[test]
fn more_ways_to_be_wrong() {
    check(
        br#"{"channel":"x","text":"no id","created_at":"2026-03-01T10:00:00Z"}
{"id":"2","text":"no channel","created_at":"2026-03-01T10:00:00Z"}
{"id":"3","channel":"x","created_at":"2026-03-01T10:00:00Z"}
{"id":"4","channel":"x","text":"no time"}
{"id":"5","channel":"x","text":"hi","created_at":"2026-13-01T10:00:00Z"}
{"id":"6","channel":"x","text":"hi","created_at":"2026-03-01T10:00:00Z","brand":"Acme"}
{"id":"7","channel":"x","text":"hi","created_at":"2026-03-01T10:00:00Z","rating":3}
{"id":"8","channel":"x","text":"hi","created_at":"2026-03-01T10:00:00Z","rating":3,"rating_scale":"stars10"}
{"id":"9","channel":"x","text":"hi","created_at":"2026-03-01T10:00:00Z","author_followers":"many"}
{"id":"10","channel":"x","text":42,"created_at":"2026-03-01T10:00:00Z"}
{"id":"11","channel":"x","text":"hi","created_at":"2026-03-01T10:00:00Z","stage_ratings":{"sales":4}}
{"id":"12","channel":"x","text":"hi","created_at":"2026-03-01T10:00:00Z","stage_ratings":[4]}
{"id":1.5,"channel":"x","text":"hi","created_at":"2026-03-01T10:00:00Z"}
["an","array"]
{"id":"15","channel":"x","text":"hi","created_at":"2026-03-01T10:00:00Z"} trailing
"#,
        expect![[r#"
            1 REJECT missing id
            2 REJECT missing channel
            3 REJECT missing text
            4 REJECT missing created_at
            5 REJECT bad created_at "2026-13-01T10:00:00Z": input is out of range (expected RFC 3339 such as 2026-03-01T10:00:00Z)
            6 REJECT unknown brand "Acme" (model brands: skyway, bluejet, aerolux, nimbus, cityhop; handles and aliases also work)
            7 REJECT rating without rating_scale (give stars5, csat5 or nps10)
            8 REJECT bad rating_scale: unknown rating scale "stars10" (expected stars5, csat5 or nps10)
            9 REJECT bad author_followers: expected a non-negative integer, got "many"
            10 REJECT bad text: expected a string, got 42
            11 REJECT stage_ratings without rating_scale (give stars5, csat5 or nps10)
            12 REJECT bad stage_ratings: expected an object {"<stage id>": number}, got [4]
            13 REJECT bad id: expected a string or an integer, got 1.5
            14 REJECT expected a JSON object, got an array
            15 REJECT malformed JSON: trailing characters (at column 75)
        "#]],
    );
}

#[test]
fn blank_lines_crlf_and_a_missing_final_newline_are_fine() {
    check(
        b"\xEF\xBB\xBF{\"id\":\"1\",\"channel\":\"x\",\"text\":\"a\",\"created_at\":\"2026-03-01T10:00:00Z\"}\r\n\r\n   \n{\"id\":\"2\",\"channel\":\"x\",\"text\":\"b\",\"created_at\":\"2026-03-01T10:00:00Z\"}",
        expect![[r#"
            1 ok x/1 2026-03-01T10:00:00Z "a"
            4 ok x/2 2026-03-01T10:00:00Z "b"
        "#]],
    );
}

#[test]
fn a_json_array_file_and_a_pretty_printed_record_are_read_as_documents() {
    check(
        br#"[{"id":"1","channel":"x","text":"a","created_at":"2026-03-01T10:00:00Z"},
 {"id":"2","channel":"x","text":"","created_at":"2026-03-01T10:00:00Z"}]"#,
        expect![[r#"
            1 ok x/1 2026-03-01T10:00:00Z "a"
            2 REJECT missing text
        "#]],
    );
    check(
        b"{\n  \"id\": \"1\",\n  \"channel\": \"x\",\n  \"text\": \"pretty\",\n  \"created_at\": \"2026-03-01T10:00:00Z\"\n}\n",
        expect![[r#"
            1 ok x/1 2026-03-01T10:00:00Z "pretty"
        "#]],
    );
}

#[test]
fn rejects_carry_the_source_and_the_raw_record() {
    let items = read_bytes(
        "raw.jsonl",
        b"{\"id\":\"1\",\"text\":\"x\xff\"}\n",
        &ReadOptions::default(),
    );
    let r = items[0].as_ref().unwrap_err();
    assert!(r.source.ends_with("raw.jsonl"), "{}", r.source);
    assert_eq!(r.raw, "{\"id\":\"1\",\"text\":\"x\u{FFFD}\"}");
    assert_eq!(r.reason, "invalid UTF-8 at byte 19");
}

#[test]
fn a_missing_file_is_an_error() {
    let err = tce_ingest::SignalReader::open(
        std::path::Path::new("/nonexistent/x.jsonl"),
        &ReadOptions::default(),
        &crate::model(),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("cannot read"), "{err}");
}

#[test]
fn a_big_file_streams_across_buffer_boundaries_and_an_overlong_line_is_skipped() {
    let mut input = Vec::new();
    for i in 1..=12_000 {
        input.extend_from_slice(
            format!("{{\"id\":\"{i}\",\"channel\":\"x\",\"text\":\"record number {i} with some padding to make it longer than usual\",\"created_at\":\"2026-03-01T10:00:00Z\"}}\n")
                .as_bytes(),
        );
    }
    input.extend_from_slice(b"{\"id\":\"big\",\"text\":\"");
    input.resize(input.len() + (17 << 20), b'a');
    input.extend_from_slice(b"\"}\n{\"id\":\"after\",\"channel\":\"x\",\"text\":\"still here\",\"created_at\":\"2026-03-01T10:00:00Z\"}\n");
    let items = read_bytes("big.jsonl", &input, &ReadOptions::default());
    assert_eq!(items.len(), 12_002);
    for (i, item) in items[..12_000].iter().enumerate() {
        let p = item.as_ref().unwrap();
        assert_eq!(
            (p.line, p.signal.external_id.as_str()),
            (i as u64 + 1, (i + 1).to_string().as_str())
        );
    }
    let r = items[12_000].as_ref().unwrap_err();
    assert_eq!(r.line, 12_001);
    assert!(
        r.reason.starts_with("record longer than 16 MiB"),
        "{}",
        r.reason
    );
    assert_eq!(items[12_001].as_ref().unwrap().line, 12_002);
}

#[test]
fn a_jsonl_file_whose_first_line_is_not_a_record_keeps_its_records() {
    check(
        b"id,channel,text\n{\"id\":\"1\",\"channel\":\"x\",\"text\":\"a\",\"created_at\":\"2026-03-01T10:00:00Z\"}\n",
        expect![[r#"
            1 REJECT malformed JSON: expected value (at column 1)
            2 ok x/1 2026-03-01T10:00:00Z "a"
        "#]],
    );
}
