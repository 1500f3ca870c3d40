//! A TOML document as a tree that keeps the span of every key and value, and
//! a reader over it that records each problem with its line and dotted
//! field. Instrument and answers files are read through it, so a wrong type,
//! an unknown field or a missing one is reported as `file:line: field:
//! message` like every other tce file, and every problem is reported at once.

use crate::error::{Issue, MaturityError};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// One TOML value with the spans of everything inside it.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Str(String),
    Int(i64),
    Float(f64),
    Bool,
    /// A date or time (kept only to say it is the wrong type).
    Datetime,
    Array(Vec<Sp>),
    /// Keys in file order.
    Table(Vec<(Spanned<String>, Sp)>),
}

impl Node {
    /// What the value is, in the words of an error message.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Node::Str(_) => "a string",
            Node::Int(_) => "an integer",
            Node::Float(_) => "a number",
            Node::Bool => "a boolean",
            Node::Datetime => "a date",
            Node::Array(_) => "an array",
            Node::Table(_) => "a table",
        }
    }
}

/// A node with its byte span in the file.
#[derive(Debug, Clone)]
pub(crate) struct Sp {
    span: Range<usize>,
    node: Node,
}

impl Sp {
    pub(crate) fn span(&self) -> Range<usize> {
        self.span.clone()
    }
    pub(crate) fn get_ref(&self) -> &Node {
        &self.node
    }
}

// serde_spanned's protocol: the toml deserializer answers a struct with this
// name and fields with a map of start, end and value.
const SPANNED_NAME: &str = "$__serde_spanned_private_Spanned";
const SPANNED_START: &str = "$__serde_spanned_private_start";
const SPANNED_FIELDS: [&str; 3] = [
    SPANNED_START,
    "$__serde_spanned_private_end",
    "$__serde_spanned_private_value",
];

impl<'de> Deserialize<'de> for Sp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Sp, D::Error> {
        deserializer.deserialize_struct(SPANNED_NAME, &SPANNED_FIELDS, SpVisitor)
    }
}

/// Like `toml::Spanned<Node>`, except that a table the parser cannot span
/// (the implicit parent of a dotted header such as `[orientation.people]`)
/// is read as a plain table located at its first entry instead of failing.
struct SpVisitor;

fn unspanned(node: Node) -> Sp {
    let start = match &node {
        Node::Array(items) => items.iter().map(|i| i.span.start).min(),
        Node::Table(entries) => entries.iter().map(|(_, v)| v.span.start).min(),
        _ => None,
    }
    .unwrap_or(0);
    Sp {
        span: start..start,
        node,
    }
}

impl<'de> Visitor<'de> for SpVisitor {
    type Value = Sp;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Sp, E> {
        NodeVisitor.visit_bool(v).map(unspanned)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Sp, E> {
        NodeVisitor.visit_i64(v).map(unspanned)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Sp, E> {
        NodeVisitor.visit_u64(v).map(unspanned)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Sp, E> {
        NodeVisitor.visit_f64(v).map(unspanned)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Sp, E> {
        NodeVisitor.visit_str(v).map(unspanned)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Sp, E> {
        NodeVisitor.visit_string(v).map(unspanned)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Sp, A::Error> {
        NodeVisitor.visit_seq(seq).map(unspanned)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Sp, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Ok(unspanned(Node::Table(Vec::new())));
        };
        if first == SPANNED_START {
            let start: usize = map.next_value()?;
            let _ = map.next_key::<String>()?;
            let end: usize = map.next_value()?;
            let _ = map.next_key::<String>()?;
            let node: Node = map.next_value()?;
            return Ok(Sp {
                span: start..end,
                node,
            });
        }
        if first == DATETIME_KEY {
            map.next_value::<de::IgnoredAny>()?;
            return Ok(unspanned(Node::Datetime));
        }
        let value = map.next_value::<Sp>()?;
        let mut out = vec![(Spanned::new(value.span(), first), value)];
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<Sp>()?;
            out.push((Spanned::new(value.span(), key), value));
        }
        Ok(unspanned(Node::Table(out)))
    }
}

/// toml 0.8 hands dates to serde as a one-key map with this key.
const DATETIME_KEY: &str = "$__toml_private_datetime";

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        let _ = v;
        Ok(Node::Bool)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(i64::try_from(v).map_or(Node::Float(v as f64), Node::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<Sp>()? {
            out.push(v);
        }
        Ok(Node::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut out = Vec::new();
        // Keys are read as plain strings (toml 0.8 cannot span the keys of
        // dotted table headers); a key is located at its value.
        while let Some(key) = map.next_key::<String>()? {
            if key == DATETIME_KEY {
                map.next_value::<de::IgnoredAny>()?;
                return Ok(Node::Datetime);
            }
            let value = map.next_value::<Sp>()?;
            out.push((Spanned::new(value.span(), key), value));
        }
        Ok(Node::Table(out))
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(src: &str, offset: usize) -> usize {
    src.get(..offset.min(src.len()))
        .map_or(1, |before| before.matches('\n').count() + 1)
}

/// Parses TOML text into a tree, or the syntax error with its line.
pub(crate) fn parse(src: &str, path: &Path) -> Result<Vec<(Spanned<String>, Sp)>, MaturityError> {
    let root: Node = toml::from_str(src).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let before = src.get(..offset.min(src.len())).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        MaturityError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })?;
    match root {
        Node::Table(entries) => Ok(entries),
        // A TOML document is always a table.
        other => Err(MaturityError::Syntax {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: format!("expected a table, found {}", other.kind()),
        }),
    }
}

/// A table being read: its entries, its dotted path and where it starts.
pub(crate) struct Table<'a> {
    pub(crate) entries: &'a [(Spanned<String>, Sp)],
    pub(crate) path: String,
    pub(crate) offset: usize,
}

impl<'a> Table<'a> {
    pub(crate) fn new(
        entries: &'a [(Spanned<String>, Sp)],
        path: String,
        offset: usize,
    ) -> Table<'a> {
        Table {
            entries,
            path,
            offset,
        }
    }

    /// The dotted field name of a key of this table.
    pub(crate) fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&'a Sp> {
        self.entries
            .iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(_, v)| v)
    }

    /// Byte offset of a key's value, or of the table when it is absent.
    pub(crate) fn offset_of(&self, key: &str) -> usize {
        self.get(key).map_or(self.offset, |v| v.span().start)
    }
}

/// Reads typed values out of tables, collecting every problem.
pub(crate) struct Reader<'s> {
    src: &'s str,
    pub(crate) issues: Vec<Issue>,
}

impl<'s> Reader<'s> {
    pub(crate) fn new(src: &'s str) -> Reader<'s> {
        Reader {
            src,
            issues: Vec::new(),
        }
    }

    pub(crate) fn issue(
        &mut self,
        offset: usize,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.issues.push(Issue {
            line: line_of(self.src, offset),
            field: field.into(),
            message: message.into(),
        });
    }

    /// The problems found, sorted by line, or `Ok` when there are none.
    pub(crate) fn finish(mut self, path: &Path) -> Result<(), MaturityError> {
        if self.issues.is_empty() {
            return Ok(());
        }
        self.issues.sort_by_key(|i| i.line);
        Err(MaturityError::Invalid {
            path: path.to_path_buf(),
            issues: self.issues,
        })
    }

    /// Reports every key of `table` not in `known`, with a "did you mean".
    pub(crate) fn deny_unknown(&mut self, table: &Table, known: &[&str]) {
        for (k, _) in table.entries {
            if !known.contains(&k.get_ref().as_str()) {
                let hint = crate::did_you_mean(k.get_ref(), known.iter().copied())
                    .map(|s| format!(": did you mean {s:?}?"))
                    .unwrap_or_default();
                self.issue(
                    k.span().start,
                    table.field(k.get_ref()),
                    format!("unknown field{hint} (known: {})", known.join(", ")),
                );
            }
        }
    }

    fn wrong_type(&mut self, value: &Sp, field: String, expected: &str) {
        self.issue(
            value.span().start,
            field,
            format!("expected {expected}, found {}", value.get_ref().kind()),
        );
    }

    /// A required string.
    pub(crate) fn string(&mut self, table: &Table, key: &str) -> Option<Spanned<String>> {
        match table.get(key) {
            None => {
                self.issue(table.offset, table.field(key), "missing field");
                None
            }
            Some(v) => self.as_string(v, table.field(key)),
        }
    }

    /// An optional string.
    pub(crate) fn opt_string(&mut self, table: &Table, key: &str) -> Option<Spanned<String>> {
        table
            .get(key)
            .and_then(|v| self.as_string(v, table.field(key)))
    }

    pub(crate) fn as_string(&mut self, v: &Sp, field: String) -> Option<Spanned<String>> {
        match v.get_ref() {
            Node::Str(s) => Some(Spanned::new(v.span(), s.clone())),
            _ => {
                self.wrong_type(v, field, "a string");
                None
            }
        }
    }

    /// An optional number (integers accepted).
    pub(crate) fn opt_number(&mut self, table: &Table, key: &str) -> Option<Spanned<f64>> {
        let v = table.get(key)?;
        match v.get_ref() {
            Node::Float(x) => Some(Spanned::new(v.span(), *x)),
            Node::Int(x) => Some(Spanned::new(v.span(), *x as f64)),
            _ => {
                self.wrong_type(v, table.field(key), "a number");
                None
            }
        }
    }

    /// A required or optional array of tables, as tables with their paths.
    pub(crate) fn tables<'a>(
        &mut self,
        table: &Table<'a>,
        key: &str,
        required: bool,
    ) -> Vec<Table<'a>> {
        let field = table.field(key);
        match table.get(key) {
            None => {
                if required {
                    self.issue(table.offset, field, "missing field");
                }
                Vec::new()
            }
            Some(v) => match v.get_ref() {
                Node::Array(items) => items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| self.as_table(item, format!("{field}[{i}]")))
                    .collect(),
                _ => {
                    self.wrong_type(v, field, "an array of tables");
                    Vec::new()
                }
            },
        }
    }

    /// A value that must be a table.
    pub(crate) fn as_table<'a>(&mut self, v: &'a Sp, field: String) -> Option<Table<'a>> {
        match v.get_ref() {
            Node::Table(entries) => Some(Table::new(entries, field, v.span().start)),
            _ => {
                self.wrong_type(v, field, "a table");
                None
            }
        }
    }

    /// A required or optional array of strings.
    pub(crate) fn strings(
        &mut self,
        table: &Table,
        key: &str,
        required: bool,
    ) -> Option<Vec<Spanned<String>>> {
        let field = table.field(key);
        let Some(v) = table.get(key) else {
            if required {
                self.issue(table.offset, field, "missing field");
            }
            return None;
        };
        match v.get_ref() {
            Node::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    out.push(self.as_string(item, format!("{field}[{i}]"))?);
                }
                Some(out)
            }
            _ => {
                self.wrong_type(v, field, "an array of strings");
                None
            }
        }
    }

    /// Checks an id: lowercase letters, digits, `_` or `-`.
    pub(crate) fn id(&mut self, id: &Spanned<String>, field: String) -> bool {
        let valid = !id.get_ref().is_empty()
            && id
                .get_ref()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !valid {
            self.issue(
                id.span().start,
                field,
                format!(
                    "invalid id {:?}: use lowercase letters, digits, '_' or '-'",
                    id.get_ref()
                ),
            );
        }
        valid
    }
}
