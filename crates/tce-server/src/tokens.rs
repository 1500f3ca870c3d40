//! Token persistence as the server sees it: the store's token records (see
//! `tce_store::Store::create_token` and friends; migration `0002_tokens.sql`).

pub use tce_store::{NewToken, TokenRecord};
