package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"quotacert/internal/blob"
	"quotacert/internal/datakey"
	"quotacert/internal/pii"
	"quotacert/internal/store"
)

// rotateSteps lets a test stop a rotation where a crash could stop it; the command passes none.
type rotateSteps struct {
	blobs       func(datakey.Blobs) datakey.Blobs // wraps the blob mover
	afterCommit func() error                      // after the database is re-sealed, before the key file is replaced
	afterKey    func() error                      // after the key file is replaced, before the old copies go
}

// cmdKey runs "quotacert key rotate" (CONTRACT.md).
func cmdKey(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprintln(stderr, "usage: quotacert key rotate [--db …] [--data …] [--blob …] [--drop-unmatched]")
		return 2
	}
	fs := newFlagSet("key rotate", stderr)
	var dbf dbFlags
	dbf.register(fs, getenv)
	drop := fs.Bool("drop-unmatched", false, "delete the payment rows whose persons' ID numbers were never stored sealed (imported before this release) instead of refusing; re-importing those files is the better fix")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if err := rotateKey(ctx, dbf, getenv, *drop, stdout, rotateSteps{}); err != nil {
		fmt.Fprintf(stderr, "quotacert key rotate: %v\n", err)
		return 1
	}
	return 0
}

// rotateKey re-seals the database and the attachments under a new key (datakey.Rotate), then
// replaces the key file, keeping the old one as a dated backup, and removes the old copies of the
// attachments. Each step can be interrupted: a rerun goes on from where it stopped (the pending key
// in quotacert.key.next is reused until the database is sealed under it).
func rotateKey(ctx context.Context, dbf dbFlags, getenv env, dropUnmatched bool, out io.Writer, steps rotateSteps) error {
	db, err := dbf.openStore(ctx, time.Now)
	if err != nil {
		return err
	}
	defer db.Close()
	keys := datakey.NewService(store.DataKeyRunner(db))
	keyEnv := getenv("QUOTACERT_KEY")

	// A rotation that committed but did not replace the key file: finish it.
	if next, err := pii.ReadNextKey(dbf.data); err == nil {
		np, err := pii.New(next)
		if err != nil {
			return err
		}
		st, err := keys.State(ctx)
		if err != nil {
			return err
		}
		if st.Check == np.CheckValue() {
			fmt.Fprintln(out, "the previous rotation re-sealed the database but did not replace the key file: finishing it")
			return finishRotation(ctx, dbf, getenv, keys, next, keyEnv, out, steps)
		}
	}
	k, err := dbf.checkKey(ctx, db, keyEnv, func(string) {})
	if err != nil {
		return err
	}
	if st, err := keys.State(ctx); err != nil {
		return err
	} else if st.Retired > 0 {
		// The previous rotation replaced the key file but not all old copies were removed.
		fmt.Fprintln(out, "the previous rotation is committed; removing the old attachment copies it left")
		return removeOld(ctx, dbf, getenv, keys, k.key, out)
	}
	next, err := pii.CreateNextKey(dbf.data)
	if err != nil {
		return err
	}
	np, err := pii.New(next)
	if err != nil {
		return err
	}
	from, err := dbf.openBlobs(getenv, k.key)
	if err != nil {
		return err
	}
	to, err := dbf.openBlobs(getenv, next)
	if err != nil {
		return err
	}
	var mover datakey.Blobs = blob.Mover{From: from, To: to}
	if steps.blobs != nil {
		mover = steps.blobs(mover)
	}
	start := time.Now()
	rep, err := keys.Rotate(ctx, k.pii, np, mover, datakey.RotateOptions{DropUnmatched: dropUnmatched,
		Log: func(msg string, args ...any) { fmt.Fprintln(out, append([]any{msg}, args...)...) }})
	switch {
	case errors.Is(err, datakey.ErrUnmatched):
		return fmt.Errorf("%w. 有缴费记录（工资、养老、医疗）的人员身份证号从未加密保存（本版本之前导入），无法在新密钥下重新计算其检索值。"+
			"请先重新导入本年度的工资、养老和医疗保险文件，再运行本命令；或加 --drop-unmatched 删除这些记录。"+
			" These payment rows were imported before this release, which did not keep the persons' ID numbers sealed, so their look-up hash cannot be recomputed under a new key."+
			" Re-import this year's wages, social and medical files first, then rotate; or pass --drop-unmatched to delete those rows", err)
	case errors.Is(err, datakey.ErrBusy):
		return fmt.Errorf("%w: 轮换期间有新附件上传，请先停止所有服务器，再运行本命令（已完成的部分不会重做）。"+
			" Stop every server, then run this command again (what was done is kept)", err)
	case err != nil:
		return fmt.Errorf("%w (nothing was re-sealed; run the command again to resume: the new key in %s is kept until it succeeds)", err, pii.NextKeyPath(dbf.data))
	}
	fmt.Fprintf(out, "re-sealed under the new key (check value %s) in %v: %d persons, %d registry certificates, %d manual certificates, %d registry persons, %d payment rows, %d second-factor secrets, %d attachment rows (%d copies, %d missing), %d unmatched payment rows dropped\n",
		datakey.Short(np.CheckValue()), time.Since(start).Round(time.Millisecond), rep.Persons, rep.RegistryCertificates, rep.ManualCertificates,
		rep.RegistryPersons, rep.Payments, rep.Secrets, rep.Files, rep.BlobsMoved, rep.BlobsMissing, rep.Dropped)
	if steps.afterCommit != nil {
		if err := steps.afterCommit(); err != nil {
			return err
		}
	}
	return finishRotation(ctx, dbf, getenv, keys, next, keyEnv, out, steps)
}

// finishRotation replaces the key file with the pending key and removes the old attachment copies.
func finishRotation(ctx context.Context, dbf dbFlags, getenv env, keys *datakey.Service, next []byte, keyEnv string, out io.Writer, steps rotateSteps) error {
	backup, err := pii.PromoteNextKey(dbf.data, time.Now())
	if err != nil {
		return err
	}
	if backup != "" {
		fmt.Fprintf(out, "new key file %s; the old key is kept as %s (mode 0600): keep it with the backups of the database made before this rotation, which need it\n",
			pii.KeyPath(dbf.data), backup)
	} else {
		fmt.Fprintf(out, "new key file %s\n", pii.KeyPath(dbf.data))
	}
	if strings.TrimSpace(keyEnv) != "" {
		fmt.Fprintln(out, "QUOTACERT_KEY is set and takes precedence over the key file: replace its value with the content of the new key file (or unset it), or the server will refuse to start")
	}
	if steps.afterKey != nil {
		if err := steps.afterKey(); err != nil {
			return err
		}
	}
	return removeOld(ctx, dbf, getenv, keys, next, out)
}

// removeOld removes the attachment copies that the committed rotation replaced.
func removeOld(ctx context.Context, dbf dbFlags, getenv env, keys *datakey.Service, key []byte, out io.Writer) error {
	blobs, err := dbf.openBlobs(getenv, key)
	if err != nil {
		return err
	}
	n, err := keys.RemoveRetired(ctx, blob.Mover{From: blobs, To: blobs})
	if err != nil {
		return fmt.Errorf("%w (run the command again to remove the rest)", err)
	}
	fmt.Fprintf(out, "removed %d old attachment copies; the key rotation is complete\n", n)
	return nil
}
