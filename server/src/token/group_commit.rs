//! Group commit for the token endpoint's one write.
//!
//! Every issued token spends its assertion's jti and records the issue
//! durably before it is signed, so each token waits for a commit to reach
//! the disk. Done one request at a time, that wait (not the CPU) bounds how
//! many tokens an instance can issue. Here the writes of requests that arrive
//! together share one statement and one commit
//! ([`store::spend_jtis_and_record`]): a dispatcher takes whatever is waiting
//! (up to [`MAX_BATCH`]) as soon as one of [`IN_FLIGHT`] writers is free. A
//! lone request is written at once, so nothing waits for company; under load
//! the batches grow by themselves while the previous commits are on their way
//! to disk. Durability is unchanged: no request is answered before its commit.
//!
//! A batch the database refuses for a value it will not take is written again
//! row by row, so one bad request cannot fail the others that happened to
//! share its batch. A batch that fails for want of the database (a lost
//! connection, an exhausted pool) is answered with an error at once. A request
//! waits at most [`DEADLINE`]; one that has given up is left out of its batch.
//!
//! This write does not go through `UnitOfWork`: the row it records for each
//! issued token (`token_issued`: client, scopes, consumer, system user, time)
//! is that token's audit record, in the same transaction as the spent jti, and
//! an `audit_event` row per token as well would halve what an instance issues.
//!
//! [`store::spend_jtis_and_record`]: domain::tokens::store::spend_jtis_and_record

use domain::tokens::store::{self, Spent};
use domain::tokens::TokenWrite;
use sqlx::PgPool;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Semaphore};

/// Most writes in one statement; more wait for the next batch.
pub const MAX_BATCH: usize = 128;
/// Batches written at the same time: while one waits for its commit, the next
/// gathers and runs its statement.
pub const IN_FLIGHT: usize = 2;
/// Requests that may wait for a writer before senders are held back.
const QUEUE: usize = 8 * MAX_BATCH;
/// How long a request waits for its write before it is answered with an
/// error. A request that gives up before its batch is written is left out of
/// it, so a token is neither recorded nor its jti spent long after it was
/// asked for (the key and claims were checked at that time).
pub const DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

type Reply = oneshot::Sender<Result<Spent, WriteFailed>>;

/// The write could not be done; the request should be answered with a server error.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the token could not be recorded: {0}")]
pub struct WriteFailed(String);

/// The handle requests write through; cheap to share.
pub struct GroupCommit {
    queue: mpsc::Sender<(TokenWrite, Reply)>,
}

impl GroupCommit {
    /// Starts the dispatcher on the current runtime. It stops when the handle is dropped.
    pub fn start(pool: PgPool) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(dispatch(pool, waiting));
        Self { queue }
    }

    /// Spends the jti and records the token, with whatever other writes are waiting.
    /// Gives up after [`DEADLINE`].
    pub async fn write(&self, write: TokenWrite) -> Result<Spent, WriteFailed> {
        let wait = async {
            let (reply, answer) = oneshot::channel();
            self.queue.send((write, reply)).await.map_err(|_| WriteFailed("the writer has stopped".into()))?;
            answer.await.map_err(|_| WriteFailed("the writer dropped the request".into()))?
        };
        tokio::time::timeout(DEADLINE, wait).await.map_err(|_| WriteFailed(format!("not written within {DEADLINE:?}")))?
    }
}

async fn dispatch(pool: PgPool, mut waiting: mpsc::Receiver<(TokenWrite, Reply)>) {
    let writers = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        // Wait for a free writer first, so that requests gather meanwhile.
        let Ok(writer) = writers.clone().acquire_owned().await else { return };
        if waiting.recv_many(&mut batch, MAX_BATCH).await == 0 {
            return; // every handle is gone
        }
        let pool = pool.clone();
        let taken = std::mem::replace(&mut batch, Vec::with_capacity(MAX_BATCH));
        tokio::spawn(async move {
            answer(&pool, taken).await;
            drop(writer);
        });
    }
}

/// Writes one batch and answers each of its requests; requests that have
/// gone away (given up, or their client disconnected) are left out, so that
/// nothing is recorded for a token no one will receive.
async fn answer(pool: &PgPool, mut batch: Vec<(TokenWrite, Reply)>) {
    batch.retain(|(_, reply)| !reply.is_closed());
    if batch.is_empty() {
        return;
    }
    let (writes, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
    for (reply, result) in replies.into_iter().zip(write_batch(pool, &writes).await) {
        let _ = reply.send(result); // the request may have gone away
    }
}

/// Writes `writes` in one statement, or row by row if the database refuses
/// the statement; one result per write, in order.
pub async fn write_batch(pool: &PgPool, writes: &[TokenWrite]) -> Vec<Result<Spent, WriteFailed>> {
    let failed = |e: &dyn std::fmt::Display| vec![Err(WriteFailed(e.to_string())); writes.len()];
    match store::spend_jtis_and_record(pool, writes).await {
        Ok(spent) if spent.len() == writes.len() => spent.into_iter().map(Ok).collect(),
        Ok(spent) => failed(&format!("{} results for {} writes", spent.len(), writes.len())),
        // Only a value the database will not take (SQLSTATE classes 22, data
        // exception, and 23, integrity) can be one row's fault; a lost
        // connection, an exhausted pool, a shutdown or a timeout is every
        // row's, and trying each row again would only multiply the wait.
        Err(e) if writes.len() == 1 || !refused_a_value(&e) => failed(&e),
        Err(e) => {
            tracing::warn!(error = %e, writes = writes.len(), "a token batch was refused; writing its rows one by one");
            let mut results = Vec::with_capacity(writes.len());
            for write in writes {
                results.push(match store::spend_jtis_and_record(pool, std::slice::from_ref(write)).await.as_deref() {
                    Ok([spent]) => Ok(*spent),
                    Ok(_) => Err(WriteFailed("no result for the write".into())),
                    Err(e) => Err(WriteFailed(e.to_string())),
                });
            }
            results
        }
    }
}

fn refused_a_value(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => db.code().is_some_and(|code| code.starts_with("22") || code.starts_with("23")),
        _ => false,
    }
}
