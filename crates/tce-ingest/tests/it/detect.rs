//! Format detection from the first bytes.

use crate::shared_data;
use tce_ingest::{detect, Format};

fn head(path: &std::path::Path, n: usize) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    bytes[..n.min(bytes.len())].to_vec()
}

#[test]
fn shared_files_are_recognised_from_whole_files_and_from_short_heads() {
    let data = shared_data();
    let cases = [
        (
            "payloads/twitter_v2/recent_search_default.json",
            Format::TwitterV2,
        ),
        (
            "payloads/twitter_v2/recent_search_tweet_fields_expanded_users.json",
            Format::TwitterV2,
        ),
        (
            "payloads/twitter_v2/tweepy_cassette_users_mentions_2022.json",
            Format::TwitterV2,
        ),
        (
            "payloads/reddit/r_all_search_listing_2016.json",
            Format::Reddit,
        ),
        (
            "payloads/reddit/r_askreddit_comments_listing_2016.json",
            Format::Reddit,
        ),
        ("twcs/sample.csv", Format::Csv),
    ];
    for (file, format) in cases {
        for n in [usize::MAX, 4096, 200] {
            assert_eq!(
                detect(&head(&data.join(file), n)),
                format,
                "{file} first {n} bytes"
            );
        }
    }
}

#[test]
fn content_shapes_decide() {
    let cases: [(&[u8], Format); 13] = [
        (b"{\"id\":\"1\",\"channel\":\"x\",\"text\":\"a\",\"data\":[{\"id\":\"9\",\"text\":\"extra\"}]}\n", Format::Jsonl),
        (b"{\"id\":\"1\",\"channel\":\"x\",\"text\":\"a\",\"created_at\":\"2026-03-01T10:00:00Z\"}\n{\"id\":\"2\"", Format::Jsonl),
        (b"\xEF\xBB\xBF  \n{\"id\":1}\n", Format::Jsonl),
        (b"{not json\n{\"id\":1}\n", Format::Jsonl),
        (b"[{\"id\":\"1\",\"text\":\"a\"}]", Format::Jsonl),
        (b"{\"data\":[{\"id\":\"1\",\"text\":\"a\"}],\"meta\":{\"result_count\":1}}", Format::TwitterV2),
        (b"{\n  \"data\": [\n    {\n      \"id\": \"1\",\n      \"text\": \"cut off", Format::TwitterV2),
        (b"{\"data\":{\"id\":\"1\",\"text\":\"a\"}}\n{\"data\":{\"id\":\"2\",\"text\":\"b\"}}\n", Format::TwitterV2),
        (b"{\"version\": 1, \"interactions\": [{\"request\"", Format::TwitterV2),
        (b"{\"kind\": \"Listing\", \"data\": {\"children\": [{\"kind\": \"t3\", \"da", Format::Reddit),
        (b"[{\"kind\":\"Listing\",\"data\":{\"children\":[]}},{\"kind\":\"Listing\",\"data\":{\"children\":[]}}]", Format::Reddit),
        (b"[\n {\n  \"kind\": \"Listing\",\n  \"data\": {\"chil", Format::Reddit),
        (b"tweet_id,author_id,text\n1,2,hello\n", Format::Csv),
    ];
    for (head, format) in cases {
        assert_eq!(detect(head), format, "{}", String::from_utf8_lossy(head));
    }
    assert_eq!(detect(b""), Format::Csv);
}
