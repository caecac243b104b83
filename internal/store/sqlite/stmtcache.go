package sqlite

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
)

// The statement cache. modernc.org/sqlite prepares every statement it is handed as text anew, and
// the parse and plan of the store's joins cost more than running them (a quarter of a grid page's
// CPU, measured). A prepared statement of the driver keeps its compiled program and is only reset
// between uses, but database/sql can reuse one inside a transaction only through a DB-level
// sql.Stmt, whose preparation takes a connection of its own — with the writer pool's single
// connection held by the transaction that would wait for ever. So the cache lives one level lower:
// each driver connection keeps its recently used statements by their SQL text, and they close with
// it. Library caches (squirrel's StmtCache and the like) work on the sql.DB level and have that
// problem.

// stmtCacheSize bounds the statements one connection keeps: the store has a few hundred distinct
// SQL texts, of which a page uses a handful; the least recently used ones are closed first.
const stmtCacheSize = 256

// cachingConnector opens driver connections that keep a statement cache.
type cachingConnector struct {
	dsn string
	drv driver.Driver
}

func (c cachingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	for _, need := range []bool{isQueryer(conn), isExecer(conn), isPreparer(conn), isBeginner(conn)} {
		if !need {
			conn.Close()
			return nil, fmt.Errorf("sqlite driver connection %T lacks a context method the statement cache needs", conn)
		}
	}
	return &cachingConn{Conn: conn, byQuery: map[string]*list.Element{}, lru: list.New()}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.drv }

func isQueryer(c driver.Conn) bool  { _, ok := c.(driver.QueryerContext); return ok }
func isExecer(c driver.Conn) bool   { _, ok := c.(driver.ExecerContext); return ok }
func isPreparer(c driver.Conn) bool { _, ok := c.(driver.ConnPrepareContext); return ok }
func isBeginner(c driver.Conn) bool { _, ok := c.(driver.ConnBeginTx); return ok }

// cachedStmt is a prepared statement of one connection. busy is set while rows of it are open: a
// second use of the same text before they close (a query inside a loop over the rows of the same
// query) prepares a statement of its own instead.
type cachedStmt struct {
	query string
	stmt  driver.Stmt
	busy  bool
}

// cachingConn is a driver connection with its statement cache. database/sql uses a connection
// from one goroutine at a time, so the cache needs no lock.
type cachingConn struct {
	driver.Conn
	byQuery map[string]*list.Element // of *cachedStmt
	lru     *list.List               // front: most recently used
}

// take finds or prepares the cached statement of query and marks it busy; nil (and no error)
// when the cached one is busy, so that the caller runs query uncached.
func (c *cachingConn) take(ctx context.Context, query string) (*cachedStmt, error) {
	if e, ok := c.byQuery[query]; ok {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.lru.MoveToFront(e)
		cs.busy = true
		return cs, nil
	}
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	for c.lru.Len() >= stmtCacheSize {
		if !c.evictOne() {
			break
		}
	}
	cs := &cachedStmt{query: query, stmt: st, busy: true}
	c.byQuery[query] = c.lru.PushFront(cs)
	return cs, nil
}

// evictOne closes the least recently used statement that is not busy.
func (c *cachingConn) evictOne() bool {
	for e := c.lru.Back(); e != nil; e = e.Prev() {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			continue
		}
		c.lru.Remove(e)
		delete(c.byQuery, cs.query)
		_ = cs.stmt.Close()
		return true
	}
	return false
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		cs.busy = false
		return nil, err
	}
	return &cachedRows{Rows: rows, cs: cs}, nil
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	defer func() { cs.busy = false }()
	return cs.stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

// Ping, ResetSession and IsValid pass through when the driver has them, so that database/sql
// treats the wrapped connection as it treats the driver's own.
func (c *cachingConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *cachingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachingConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// Close closes the cached statements, then the connection.
func (c *cachingConn) Close() error {
	var errs []error
	for e := c.lru.Front(); e != nil; e = e.Next() {
		errs = append(errs, e.Value.(*cachedStmt).stmt.Close())
	}
	c.lru.Init()
	clear(c.byQuery)
	return errors.Join(append(errs, c.Conn.Close())...)
}

// cachedRows gives its statement back to the cache when closed. database/sql closes rows once,
// also when Next ends with io.EOF or an error.
type cachedRows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.cs.busy = false
	return err
}
