//! The interactive assessment's state, without a terminal: which items are
//! answered, the next question, an answer checked against its choices.
//! Serialisable, so an interrupted assessment resumes where it stopped; the
//! prompt itself belongs to the binary.

use crate::answers::Answers;
use crate::error::SessionError;
use crate::instrument::Catalog;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A resumable interactive assessment over some instruments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The instruments asked, in order.
    pub instruments: Vec<String>,
    /// Instrument → item → choice answered.
    pub answered: BTreeMap<String, BTreeMap<String, String>>,
}

/// The next thing to ask.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    /// Instrument id.
    pub instrument: String,
    /// Instrument name.
    pub instrument_name: String,
    /// Area id.
    pub area: String,
    /// Area name.
    pub area_name: String,
    /// Item id (pass it back to [`Session::answer`]).
    pub item: String,
    /// The statement or question.
    pub text: String,
    /// The choices, lowest level first.
    pub choices: Vec<String>,
    /// The level name each choice places the area on (same order).
    pub choice_levels: Vec<String>,
    /// 1-based position among all the session's items.
    pub number: usize,
    /// How many items the session has.
    pub total: usize,
}

impl Session {
    /// A session over these instruments (ids not in the catalog are refused).
    pub fn new(catalog: &Catalog, instruments: &[&str]) -> Result<Session, SessionError> {
        for id in instruments {
            if catalog.get(id).is_none() {
                return Err(SessionError::UnknownInstrument((*id).to_string()));
            }
        }
        Ok(Session {
            instruments: instruments.iter().map(|s| (*s).to_string()).collect(),
            answered: BTreeMap::new(),
        })
    }

    /// A session over every instrument of the catalog.
    pub fn all(catalog: &Catalog) -> Session {
        Session {
            instruments: catalog.instruments().iter().map(|i| i.id.clone()).collect(),
            answered: BTreeMap::new(),
        }
    }

    fn items<'a>(
        &'a self,
        catalog: &'a Catalog,
    ) -> impl Iterator<Item = (&'a crate::Instrument, &'a crate::Area, &'a crate::Item)> + 'a {
        self.instruments
            .iter()
            .filter_map(move |id| catalog.get(id))
            .flat_map(|i| i.items().map(move |(a, it)| (i, a, it)))
    }

    fn is_answered(&self, instrument: &str, item: &str) -> bool {
        self.answered
            .get(instrument)
            .is_some_and(|m| m.contains_key(item))
    }

    /// The first unanswered item, in instrument and file order; `None` when
    /// every item is answered.
    pub fn next_question(&self, catalog: &Catalog) -> Option<Question> {
        let total = self.items(catalog).count();
        self.items(catalog)
            .enumerate()
            .find(|(_, (i, _, it))| !self.is_answered(&i.id, &it.id))
            .map(|(n, (i, a, it))| Question {
                instrument: i.id.clone(),
                instrument_name: i.name.clone(),
                area: a.id.clone(),
                area_name: a.name.clone(),
                item: it.id.clone(),
                text: it.text.clone(),
                choices: it.choices.iter().map(|c| c.text.clone()).collect(),
                choice_levels: it
                    .choices
                    .iter()
                    .map(|c| {
                        i.levels
                            .get(c.level)
                            .map_or_else(String::new, |l| l.name.clone())
                    })
                    .collect(),
                number: n + 1,
                total,
            })
    }

    /// Records (or changes) an answer; refused, leaving the session
    /// unchanged, when the item or choice is unknown.
    pub fn answer(
        &mut self,
        catalog: &Catalog,
        instrument: &str,
        item: &str,
        choice: &str,
    ) -> Result<(), SessionError> {
        let inst = catalog
            .get(instrument)
            .filter(|_| self.instruments.iter().any(|i| i == instrument))
            .ok_or_else(|| SessionError::UnknownInstrument(instrument.to_string()))?;
        let (_, it) = inst.item(item).ok_or_else(|| SessionError::UnknownItem {
            instrument: instrument.to_string(),
            item: item.to_string(),
        })?;
        let chosen = it
            .choices
            .iter()
            .find(|c| c.text == choice.trim())
            .or_else(|| {
                it.choices
                    .iter()
                    .find(|c| c.text.to_lowercase() == choice.trim().to_lowercase())
            })
            .ok_or_else(|| SessionError::UnknownChoice {
                instrument: instrument.to_string(),
                item: item.to_string(),
                choice: choice.to_string(),
                choices: it.choices.iter().map(|c| c.text.clone()).collect(),
            })?;
        self.answered
            .entry(instrument.to_string())
            .or_default()
            .insert(item.to_string(), chosen.text.clone());
        Ok(())
    }

    /// Forgets an answer (to ask it again).
    pub fn clear(&mut self, instrument: &str, item: &str) {
        if let Some(m) = self.answered.get_mut(instrument) {
            m.remove(item);
        }
    }

    /// (answered, total) items.
    pub fn progress(&self, catalog: &Catalog) -> (usize, usize) {
        let total = self.items(catalog).count();
        let answered = self
            .items(catalog)
            .filter(|(i, _, it)| self.is_answered(&i.id, &it.id))
            .count();
        (answered, total)
    }

    /// Whether every item is answered.
    pub fn is_complete(&self, catalog: &Catalog) -> bool {
        self.next_question(catalog).is_none()
    }

    /// The answers so far (an area without answers is left out of the
    /// assessment).
    pub fn answers(&self) -> Answers {
        Answers {
            instruments: self
                .answered
                .iter()
                .filter(|(_, m)| !m.is_empty())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}
