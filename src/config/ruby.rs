//! The syntax of the private-chef.rb subset: a lexer and a statement parser that turn text
//! into [`Statement`]s (method calls and attribute assignments) without giving them meaning.
//! Meaning (which settings exist, which keys a `server` takes) lives in
//! [`super::topology`]. Nothing here evaluates Ruby, and nothing here panics: every
//! unexpected input becomes a [`ConfigError`] with the line and column where it starts.

use std::fmt;
use std::path::PathBuf;

use serde::ser::{Serialize, SerializeSeq, Serializer};

/// Deepest nesting of arrays accepted (keeps hostile input from exhausting the stack).
const MAX_DEPTH: usize = 16;

/// A literal value on the right of `=` or `=>`, or a method argument.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `"text"` or `'text'`, escapes resolved.
    Str(String),
    /// `42`, `-1`, `1_000`.
    Int(i64),
    /// `0.5`.
    Float(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `nil`.
    Nil,
    /// `:name` (stored without the colon).
    Symbol(String),
    /// `[v, v, …]`.
    Array(Vec<Value>),
}

impl Value {
    /// The string, when this is a string literal.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, when this is `true` or `false`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The integer, when this is an integer literal.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    /// Renders the value the way Ruby's `inspect` would.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Nil => f.write_str("nil"),
            Value::Symbol(s) => write!(f, ":{s}"),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
        }
    }
}

impl Serialize for Value {
    /// JSON form: strings, numbers, booleans, null, arrays; symbols as `":name"` strings.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Str(v) => s.serialize_str(v),
            Value::Int(v) => s.serialize_i64(*v),
            Value::Float(v) => s.serialize_f64(*v),
            Value::Bool(v) => s.serialize_bool(*v),
            Value::Nil => s.serialize_none(),
            Value::Symbol(v) => s.serialize_str(&format!(":{v}")),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
        }
    }
}

/// What went wrong, without the location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Syntax outside the accepted subset: `unsupported Ruby: expected …, found …`.
    Unsupported { expected: String, found: String },
    /// Accepted syntax with a bad meaning (invalid IP, unknown key, wrong type…).
    Invalid(String),
}

/// A parse or validation error in private-chef.rb, with its 1-based line and column
/// (columns count characters). Displays as `PATH:LINE:COL: message` when the path is known,
/// else `LINE:COL: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, once known (set by [`super::Config::from_text`] / [`super::Config::load`]).
    pub path: Option<PathBuf>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl ConfigError {
    /// An `unsupported Ruby: expected …, found …` error at `line:col`.
    pub fn unsupported(line: usize, col: usize, expected: &str, found: &str) -> Self {
        ConfigError {
            path: None,
            line,
            col,
            kind: ErrorKind::Unsupported {
                expected: expected.to_string(),
                found: found.to_string(),
            },
        }
    }

    /// A semantic error (`message`) at `line:col`.
    pub fn invalid(line: usize, col: usize, message: impl Into<String>) -> Self {
        ConfigError {
            path: None,
            line,
            col,
            kind: ErrorKind::Invalid(message.into()),
        }
    }

    /// The same error, naming `path`.
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The message without the location.
    pub fn message(&self) -> String {
        match &self.kind {
            ErrorKind::Unsupported { expected, found } => {
                format!("unsupported Ruby: expected {expected}, found {found}")
            }
            ErrorKind::Invalid(m) => m.clone(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.path {
            write!(f, "{}:", p.display())?;
        }
        write!(f, "{}:{}: {}", self.line, self.col, self.message())
    }
}

impl std::error::Error for ConfigError {}

/// One token kind.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// `name:` (Ruby 1.9 hash label).
    Label(String),
    Str(String),
    Sym(String),
    Int(i64),
    Float(f64),
    LBrack,
    RBrack,
    LParen,
    RParen,
    Comma,
    Arrow,
    Assign,
    /// End of line or `;`.
    Eol,
    Eof,
    /// Anything outside the subset, kept as its text for the error message.
    Other(String),
}

impl Tok {
    /// How the token reads in a "found …" message.
    fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Label(s) => format!("`{s}:`"),
            Tok::Str(s) => format!("{s:?}"),
            Tok::Sym(s) => format!("`:{s}`"),
            Tok::Int(i) => format!("`{i}`"),
            Tok::Float(x) => format!("`{x:?}`"),
            Tok::LBrack => "`[`".into(),
            Tok::RBrack => "`]`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Arrow => "`=>`".into(),
            Tok::Assign => "`=`".into(),
            Tok::Eol => "end of line".into(),
            Tok::Eof => "end of file".into(),
            Tok::Other(s) => format!("`{s}`"),
        }
    }
}

/// A token with where it starts (line, column) and its span in characters.
#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
    col: usize,
    start: usize,
    end: usize,
}

struct Lexer {
    chars: Vec<char>,
    i: usize,
    line: usize,
    col: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.get(self.i).copied()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn tokens(mut self) -> Result<Vec<Token>, ConfigError> {
        let mut out = Vec::new();
        if self.peek(0) == Some('\u{feff}') {
            self.i += 1;
        }
        loop {
            let (line, col, start) = (self.line, self.col, self.i);
            let Some(c) = self.peek(0) else {
                out.push(Token {
                    tok: Tok::Eof,
                    line,
                    col,
                    start,
                    end: start,
                });
                return Ok(out);
            };
            let tok = match c {
                ' ' | '\t' | '\r' => {
                    self.bump();
                    continue;
                }
                '#' => {
                    while let Some(c) = self.peek(0) {
                        if c == '\n' {
                            break;
                        }
                        self.bump();
                    }
                    continue;
                }
                '\n' | ';' => {
                    self.bump();
                    Tok::Eol
                }
                '"' => self.double_quoted(line, col)?,
                '\'' => self.single_quoted(line, col)?,
                ':' => {
                    self.bump();
                    match self.peek(0) {
                        Some(c) if is_ident_start(c) => {
                            let name = self.ident();
                            Tok::Sym(name)
                        }
                        Some(':') => {
                            self.bump();
                            Tok::Other("::".into())
                        }
                        _ => Tok::Other(":".into()),
                    }
                }
                '[' | ']' | '(' | ')' | ',' => {
                    self.bump();
                    match c {
                        '[' => Tok::LBrack,
                        ']' => Tok::RBrack,
                        '(' => Tok::LParen,
                        ')' => Tok::RParen,
                        _ => Tok::Comma,
                    }
                }
                '=' => {
                    self.bump();
                    match self.peek(0) {
                        Some('>') => {
                            self.bump();
                            Tok::Arrow
                        }
                        Some(c @ ('=' | '~')) => {
                            self.bump();
                            Tok::Other(format!("={c}"))
                        }
                        _ => Tok::Assign,
                    }
                }
                c if c.is_ascii_digit()
                    || (c == '-' && self.peek(1).is_some_and(|d| d.is_ascii_digit())) =>
                {
                    self.number()
                }
                c if is_ident_start(c) => {
                    let mut name = self.ident();
                    if let Some(q @ ('?' | '!')) = self.peek(0) {
                        self.bump();
                        name.push(q);
                    }
                    if self.peek(0) == Some(':') && self.peek(1) != Some(':') {
                        self.bump();
                        Tok::Label(name)
                    } else {
                        Tok::Ident(name)
                    }
                }
                c => {
                    self.bump();
                    Tok::Other(c.to_string())
                }
            };
            out.push(Token {
                tok,
                line,
                col,
                start,
                end: self.i,
            });
        }
    }

    fn ident(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek(0) {
            if !is_ident_char(c) {
                break;
            }
            s.push(c);
            self.bump();
        }
        s
    }

    fn number(&mut self) -> Tok {
        let mut text = String::new();
        if self.peek(0) == Some('-') {
            text.push('-');
            self.bump();
        }
        while let Some(c) = self.peek(0) {
            if !(is_ident_char(c) || c == '.') {
                break;
            }
            text.push(c);
            self.bump();
        }
        let digits = text.replace('_', "");
        let plain = text
            .chars()
            .skip(usize::from(text.starts_with('-')))
            .all(|c| c.is_ascii_digit() || c == '_' || c == '.')
            && !text.ends_with('.')
            && !text.ends_with('_')
            && !text.contains("..")
            && !text.contains("__");
        if plain {
            if let Ok(i) = digits.parse::<i64>() {
                return Tok::Int(i);
            }
            if digits.contains('.') && digits.matches('.').count() == 1 {
                if let Ok(x) = digits.parse::<f64>() {
                    return Tok::Float(x);
                }
            }
        }
        Tok::Other(text)
    }

    /// Reads an escape after `\` in a double-quoted string.
    fn dq_escape(&mut self, out: &mut String, line: usize, col: usize) -> Result<(), ConfigError> {
        let (eline, ecol) = (self.line, self.col);
        let Some(c) = self.bump() else {
            return Err(ConfigError::unsupported(
                line,
                col,
                "a closing `\"`",
                "end of file",
            ));
        };
        let bad = |what: &str| {
            ConfigError::unsupported(
                eline,
                ecol.saturating_sub(1).max(1),
                "a simple escape",
                what,
            )
        };
        match c {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            's' => out.push(' '),
            '0' => out.push('\0'),
            'e' => out.push('\u{1b}'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            '\n' => {}
            'x' => {
                let mut hex = String::new();
                while hex.len() < 2 && self.peek(0).is_some_and(|c| c.is_ascii_hexdigit()) {
                    if let Some(c) = self.bump() {
                        hex.push(c);
                    }
                }
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => return Err(bad("`\\x` without hex digits")),
                }
            }
            'u' => {
                let mut hex = String::new();
                if self.peek(0) == Some('{') {
                    self.bump();
                    while let Some(c) = self.peek(0) {
                        if c == '}' || hex.len() > 6 {
                            break;
                        }
                        hex.push(c);
                        self.bump();
                    }
                    if self.bump() != Some('}') {
                        return Err(bad("an unterminated `\\u{`"));
                    }
                } else {
                    while hex.len() < 4 && self.peek(0).is_some_and(|c| c.is_ascii_hexdigit()) {
                        if let Some(c) = self.bump() {
                            hex.push(c);
                        }
                    }
                }
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => return Err(bad(&format!("`\\u{hex}`"))),
                }
            }
            other => out.push(other),
        }
        Ok(())
    }

    fn double_quoted(&mut self, line: usize, col: usize) -> Result<Tok, ConfigError> {
        self.bump();
        let mut s = String::new();
        loop {
            let (cl, cc) = (self.line, self.col);
            match self.bump() {
                None => {
                    return Err(ConfigError::unsupported(
                        line,
                        col,
                        "a closing `\"`",
                        "end of file",
                    ))
                }
                Some('"') => return Ok(Tok::Str(s)),
                Some('\\') => self.dq_escape(&mut s, line, col)?,
                Some('#') if matches!(self.peek(0), Some('{' | '@' | '$')) => {
                    let next = self.peek(0).unwrap_or('{');
                    return Err(ConfigError::unsupported(
                        cl,
                        cc,
                        "a string without interpolation",
                        &format!("`#{next}`"),
                    ));
                }
                Some(c) => s.push(c),
            }
        }
    }

    fn single_quoted(&mut self, line: usize, col: usize) -> Result<Tok, ConfigError> {
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(ConfigError::unsupported(
                        line,
                        col,
                        "a closing `'`",
                        "end of file",
                    ))
                }
                Some('\'') => return Ok(Tok::Str(s)),
                Some('\\') if matches!(self.peek(0), Some('\\' | '\'')) => {
                    if let Some(c) = self.bump() {
                        s.push(c);
                    }
                }
                Some(c) => s.push(c),
            }
        }
    }
}

/// Where a syntax element starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

/// A method argument: positional, or a `:key => value` / `key: value` pair.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// A positional value.
    Value { value: Value, pos: Pos },
    /// A symbol-keyed hash pair.
    Pair {
        key: String,
        key_pos: Pos,
        value: Value,
        pos: Pos,
    },
}

/// One statement of the file.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `name arg, :key => value, …` (parentheses optional).
    Call {
        name: String,
        pos: Pos,
        args: Vec<Arg>,
        text: String,
    },
    /// `ns['key']['sub'] = value`.
    Assign {
        ns: String,
        pos: Pos,
        keys: Vec<String>,
        value: Value,
        value_pos: Pos,
        text: String,
    },
}

/// Tells the statement parser which identifiers start an attribute assignment.
pub trait Grammar {
    /// `name[...] = value` is an attribute assignment.
    fn is_namespace(&self, name: &str) -> bool;
    /// `name args…` is a known setting or method.
    fn is_call(&self, name: &str) -> bool;
    /// How to describe what a statement may start with, for error messages.
    fn statement_expected(&self) -> String;
}

struct Parser<'g> {
    toks: Vec<Token>,
    pos: usize,
    chars: Vec<char>,
    grammar: &'g dyn Grammar,
}

/// Splits `text` into statements. Errors carry line and column but no path.
pub fn statements(text: &str, grammar: &dyn Grammar) -> Result<Vec<Statement>, ConfigError> {
    let chars: Vec<char> = text.chars().collect();
    let toks = Lexer {
        chars: chars.clone(),
        i: 0,
        line: 1,
        col: 1,
    }
    .tokens()?;
    let mut p = Parser {
        toks,
        pos: 0,
        chars,
        grammar,
    };
    let mut out = Vec::new();
    loop {
        p.skip_eols();
        if p.peek().tok == Tok::Eof {
            return Ok(out);
        }
        out.push(p.statement()?);
    }
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        // The token list always ends with Eof and `bump` never moves past it.
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn peek2(&self) -> &Tok {
        &self.toks[(self.pos + 1).min(self.toks.len() - 1)].tok
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if t.tok != Tok::Eof {
            self.pos += 1;
        }
        t
    }

    fn skip_eols(&mut self) {
        while self.peek().tok == Tok::Eol {
            self.bump();
        }
    }

    fn err(&self, t: &Token, expected: &str) -> ConfigError {
        ConfigError::unsupported(t.line, t.col, expected, &t.tok.describe())
    }

    fn at_end(&self) -> bool {
        matches!(self.peek().tok, Tok::Eol | Tok::Eof)
    }

    fn expect_end(&mut self) -> Result<(), ConfigError> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.err(self.peek(), "end of line"))
        }
    }

    /// The source of the tokens from `first` up to the last consumed one, on one line.
    fn text_from(&self, first: usize) -> String {
        let start = self.toks.get(first).map_or(0, |t| t.start);
        let end = self
            .pos
            .checked_sub(1)
            .and_then(|i| self.toks.get(i))
            .map_or(start, |t| t.end)
            .max(start)
            .min(self.chars.len());
        let raw: String = self.chars[start.min(end)..end].iter().collect();
        raw.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn statement(&mut self) -> Result<Statement, ConfigError> {
        let first = self.pos;
        let t = self.bump();
        let Tok::Ident(name) = &t.tok else {
            return Err(self.err(&t, &self.grammar.statement_expected()));
        };
        let pos = Pos {
            line: t.line,
            col: t.col,
        };
        if self.grammar.is_namespace(name) {
            if self.peek().tok != Tok::LBrack {
                return Err(self.err(self.peek(), &format!("`[` after `{name}`")));
            }
            let mut keys = Vec::new();
            while self.peek().tok == Tok::LBrack {
                self.bump();
                let k = self.bump();
                match k.tok {
                    Tok::Str(s) | Tok::Sym(s) => keys.push(s),
                    _ => return Err(self.err(&k, "a string or symbol key")),
                }
                let close = self.bump();
                if close.tok != Tok::RBrack {
                    return Err(self.err(&close, "`]`"));
                }
            }
            let eq = self.bump();
            if eq.tok != Tok::Assign {
                return Err(self.err(&eq, "`=` or `[`"));
            }
            self.skip_eols();
            let vt = self.peek().clone();
            let value = self.value(0)?;
            self.expect_end()?;
            return Ok(Statement::Assign {
                ns: name.clone(),
                pos,
                keys,
                value,
                value_pos: Pos {
                    line: vt.line,
                    col: vt.col,
                },
                text: self.text_from(first),
            });
        }
        if !self.grammar.is_call(name) {
            return Err(self.err(&t, &self.grammar.statement_expected()));
        }
        let args = self.call_args()?;
        Ok(Statement::Call {
            name: name.clone(),
            pos,
            args,
            text: self.text_from(first),
        })
    }

    fn call_args(&mut self) -> Result<Vec<Arg>, ConfigError> {
        let mut args = Vec::new();
        let paren = self.peek().tok == Tok::LParen;
        if paren {
            self.bump();
            self.skip_eols();
            if self.peek().tok == Tok::RParen {
                self.bump();
                self.expect_end()?;
                return Ok(args);
            }
        } else if self.at_end() {
            return Ok(args);
        }
        loop {
            args.push(self.arg()?);
            if paren {
                self.skip_eols();
            }
            let t = self.peek().clone();
            match t.tok {
                Tok::Comma => {
                    self.bump();
                    self.skip_eols();
                    match self.peek().tok {
                        Tok::RParen if paren => {
                            self.bump();
                            break;
                        }
                        Tok::Eof if !paren => break,
                        _ => {}
                    }
                }
                Tok::RParen if paren => {
                    self.bump();
                    break;
                }
                Tok::Eol | Tok::Eof if !paren => break,
                _ => {
                    return Err(self.err(
                        &t,
                        if paren {
                            "`,` or `)`"
                        } else {
                            "`,` or end of line"
                        },
                    ))
                }
            }
        }
        self.expect_end()?;
        Ok(args)
    }

    fn arg(&mut self) -> Result<Arg, ConfigError> {
        let t = self.peek().clone();
        let key_pos = Pos {
            line: t.line,
            col: t.col,
        };
        let key = match (&t.tok, self.peek2()) {
            (Tok::Label(k), _) => {
                self.bump();
                Some(k.clone())
            }
            (Tok::Sym(k), Tok::Arrow) => {
                self.bump();
                self.bump();
                Some(k.clone())
            }
            (Tok::Str(_), Tok::Arrow) => return Err(self.err(&t, "a symbol key like `:ipaddress`")),
            _ => None,
        };
        if key.is_some() {
            self.skip_eols();
        }
        let vt = self.peek().clone();
        let pos = Pos {
            line: vt.line,
            col: vt.col,
        };
        let value = self.value(0)?;
        Ok(match key {
            Some(key) => Arg::Pair {
                key,
                key_pos,
                value,
                pos,
            },
            None => Arg::Value { value, pos },
        })
    }

    fn value(&mut self, depth: usize) -> Result<Value, ConfigError> {
        const EXPECTED: &str = "a value (string, integer, true, false, nil, symbol or array)";
        let t = self.bump();
        Ok(match t.tok {
            Tok::Str(s) => Value::Str(s),
            Tok::Int(i) => Value::Int(i),
            Tok::Float(x) => Value::Float(x),
            Tok::Sym(s) => Value::Symbol(s),
            Tok::Ident(ref s) if s == "true" => Value::Bool(true),
            Tok::Ident(ref s) if s == "false" => Value::Bool(false),
            Tok::Ident(ref s) if s == "nil" => Value::Nil,
            Tok::LBrack => {
                if depth >= MAX_DEPTH {
                    return Err(self.err(&t, "an array nested at most 16 deep"));
                }
                let mut items = Vec::new();
                self.skip_eols();
                if self.peek().tok == Tok::RBrack {
                    self.bump();
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.skip_eols();
                    let sep = self.bump();
                    match sep.tok {
                        Tok::RBrack => break,
                        Tok::Comma => {
                            self.skip_eols();
                            if self.peek().tok == Tok::RBrack {
                                self.bump();
                                break;
                            }
                        }
                        _ => return Err(self.err(&sep, "`,` or `]`")),
                    }
                }
                Value::Array(items)
            }
            _ => return Err(self.err(&t, EXPECTED)),
        })
    }
}
