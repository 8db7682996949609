//! The accounts list, a page at a time: a store of a million accounts cannot send them all, and
//! a person looks at a few dozen. Pages follow key order and continue after the last key
//! shown (stable while accounts are added or removed); a search matches the key or the name.

use std::collections::BinaryHeap;

/// Accounts one page holds at most.
pub const MAX_PAGE: usize = 1000;

/// Which accounts, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct AccountQuery {
    /// Only keys after this one (the last key of the page before); empty for the first page.
    pub after: String,
    pub limit: usize,
    /// Upper-cased text the key or the upper-cased name contains; empty for all.
    pub text: String,
    /// Only accounts that expire (0: never does not count) before this time.
    pub expires_before: Option<i64>,
}

/// One page of account keys, in key order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountPage {
    pub keys: Vec<String>,
    /// Accounts the query matches in all.
    pub total: usize,
    /// Of those, how many come before this page.
    pub before: usize,
    /// False while the store is still reading its files: accounts whose name or expiry is not
    /// known yet match on their key alone.
    pub complete: bool,
}

impl AccountQuery {
    pub fn new(text: &str) -> AccountQuery {
        AccountQuery {
            limit: 100,
            text: text.trim().to_uppercase(),
            ..Default::default()
        }
    }

    /// Does an account with this key, name and expiry match (name and expiry `None`: unknown)?
    pub fn matches(&self, key: &str, name: Option<&str>, expires: Option<i64>) -> bool {
        let text_matches = self.text.is_empty()
            || key.contains(&self.text)
            || name.is_some_and(|n| contains_upper(n, &self.text));
        let expiry_matches = match (self.expires_before, expires) {
            (None, _) => true,
            (Some(before), Some(e)) => e != 0 && e < before,
            (Some(_), None) => false,
        };
        text_matches && expiry_matches
    }
}

/// Does `text`, upper-cased, contain `upper`? Without an allocation for ASCII names (a search
/// looks at a million of them).
fn contains_upper(text: &str, upper: &str) -> bool {
    if upper.is_empty() {
        return true;
    }
    if !text.is_ascii() {
        return text.to_uppercase().contains(upper);
    }
    let (text, upper) = (text.as_bytes(), upper.as_bytes());
    upper.len() <= text.len()
        && text
            .windows(upper.len())
            .any(|window| window.eq_ignore_ascii_case(upper))
}

/// Collects a page from every account of a store, in any order: one pass, and memory for one
/// page only (a bounded heap of the smallest keys after `after`).
pub struct PageCollector<'q> {
    query: &'q AccountQuery,
    smallest: BinaryHeap<String>,
    page: AccountPage,
}

impl<'q> PageCollector<'q> {
    pub fn new(query: &'q AccountQuery) -> PageCollector<'q> {
        PageCollector {
            query,
            smallest: BinaryHeap::with_capacity(query.limit + 1),
            page: AccountPage {
                complete: true,
                ..Default::default()
            },
        }
    }

    /// One account of the store; `name` and `expires` `None` when not read yet.
    pub fn offer(&mut self, key: &str, name: Option<&str>, expires: Option<i64>) {
        if name.is_none() {
            self.page.complete = false;
        }
        if !self.query.matches(key, name, expires) {
            return;
        }
        self.page.total += 1;
        if key <= self.query.after.as_str() {
            self.page.before += 1;
            return;
        }
        if self.smallest.len() < self.query.limit {
            self.smallest.push(key.to_string());
        } else if self
            .smallest
            .peek()
            .is_some_and(|largest| key < largest.as_str())
        {
            self.smallest.pop();
            self.smallest.push(key.to_string());
        }
    }

    pub fn finish(mut self) -> AccountPage {
        self.page.keys = self.smallest.into_sorted_vec();
        self.page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(accounts: &[(&str, &str, i64)], query: &AccountQuery) -> AccountPage {
        let mut collector = PageCollector::new(query);
        for (key, name, expires) in accounts {
            collector.offer(key, Some(name), Some(*expires));
        }
        collector.finish()
    }

    #[test]
    fn pages_follow_key_order_and_continue_after_the_last_key() {
        let accounts: Vec<(String, String, i64)> = (0..250)
            .rev()
            .map(|i| (format!("A{i:03}"), format!("team-{}", i % 7), 0))
            .collect();
        let accounts: Vec<(&str, &str, i64)> = accounts
            .iter()
            .map(|(k, n, e)| (k.as_str(), n.as_str(), *e))
            .collect();
        let mut query = AccountQuery::new("");
        let mut seen = Vec::new();
        loop {
            let p = page(&accounts, &query);
            assert_eq!((p.total, p.before), (250, seen.len()));
            seen.extend(p.keys.iter().cloned());
            match p.keys.last() {
                Some(last) => query.after = last.clone(),
                None => break,
            }
        }
        let expected: Vec<String> = (0..250).map(|i| format!("A{i:03}")).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn a_search_matches_key_or_name_and_expiry() {
        let accounts = [
            ("ABANK", "Payments", 0),
            ("ASHOP", "shop", 100),
            ("AXYZ", "other", 50),
        ];
        let keys = |q: &AccountQuery| page(&accounts, q).keys;
        assert_eq!(keys(&AccountQuery::new("pay")), ["ABANK"]);
        assert_eq!(keys(&AccountQuery::new("xy")), ["AXYZ"]);
        assert_eq!(keys(&AccountQuery::new("SHOP")), ["ASHOP"]);
        let expiring = AccountQuery {
            expires_before: Some(80),
            ..AccountQuery::new("")
        };
        // never expiring is not expiring soon
        assert_eq!(keys(&expiring), ["AXYZ"]);
    }

    #[test]
    fn names_match_whatever_their_case_and_script() {
        assert!(contains_upper("payments-eu", "MENTS-E"));
        assert!(!contains_upper("pay", "PAYMENTS"));
        assert!(contains_upper("Zahlungsverkehr-Süd", "SÜD"));
        assert!(contains_upper("x", ""));
    }

    #[test]
    fn accounts_not_read_yet_match_by_key_and_mark_the_page_incomplete() {
        let query = AccountQuery::new("pay");
        let mut collector = PageCollector::new(&query);
        collector.offer("APAY", None, None);
        collector.offer("ABANK", None, None);
        let p = collector.finish();
        assert_eq!((p.keys, p.complete), (vec!["APAY".to_string()], false));
    }
}
