package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"quotacert/internal/blob"
	"quotacert/internal/datakey"
	"quotacert/internal/pii"
	"quotacert/internal/store"
)

// keyed is an open, migrated database with the data key it is sealed with, checked.
type keyed struct {
	db   *store.DB
	key  []byte
	pii  *pii.Protector
	keys *datakey.Service
}

// Close closes the database.
func (k *keyed) Close() error { return k.db.Close() }

// openKeyed opens and migrates the database and checks the data key against it: every command that
// opens the database goes through here, so none runs with a missing or different key. A new key is
// made only for a database that holds nothing sealed; note is told when one is.
func (f *dbFlags) openKeyed(ctx context.Context, keyEnv string, note func(string)) (*keyed, error) {
	db, err := f.openStore(ctx, time.Now)
	if err != nil {
		return nil, err
	}
	k, err := f.checkKey(ctx, db, keyEnv, note)
	if err != nil {
		db.Close()
		return nil, err
	}
	return k, nil
}

func (f *dbFlags) checkKey(ctx context.Context, db *store.DB, keyEnv string, note func(string)) (*keyed, error) {
	keys := datakey.NewService(store.DataKeyRunner(db))
	key, err := pii.ReadKey(keyEnv, f.data)
	if errors.Is(err, pii.ErrNoKey) {
		may, err := keys.MayCreate(ctx)
		if err != nil {
			return nil, err
		}
		if !may {
			return nil, f.keyError(ctx, keys, datakey.ErrMissing, keyEnv, nil)
		}
		if key, err = pii.CreateKey(f.data); err != nil {
			return nil, err
		}
		note(fmt.Sprintf("已为新数据库生成数据密钥 %s：请立即备份（见 docs/OPERATIONS.md「数据密钥」），丢失后已加密的数据无法恢复。"+
			" Created the data key %s for a new database: back it up now (docs/OPERATIONS.md, \"Data key\"); without it the sealed data cannot be recovered.",
			pii.KeyPath(f.data), pii.KeyPath(f.data)))
	} else if err != nil {
		return nil, err
	}
	p, err := pii.New(key)
	if err != nil {
		return nil, err
	}
	var pending datakey.Protector
	if next, err := pii.ReadNextKey(f.data); err == nil {
		if np, err := pii.New(next); err == nil {
			pending = np
		}
	}
	if err := keys.Check(ctx, p, pending); err != nil {
		return nil, f.keyError(ctx, keys, err, keyEnv, p)
	}
	return &keyed{db: db, key: key, pii: p, keys: keys}, nil
}

// keyError turns a refusal of datakey into the operator's message, in Chinese and English, naming
// the key file and where the backup instructions are.
func (f *dbFlags) keyError(ctx context.Context, keys *datakey.Service, err error, keyEnv string, given *pii.Protector) error {
	path := pii.KeyPath(f.data)
	source := "密钥文件 " + path
	sourceEn := "the key file " + path
	if strings.TrimSpace(keyEnv) != "" {
		source, sourceEn = "环境变量 QUOTACERT_KEY", "QUOTACERT_KEY"
	}
	switch {
	case errors.Is(err, datakey.ErrMissing):
		return fmt.Errorf("数据密钥缺失：数据库中已有用数据密钥加密的数据，但找不到密钥文件 %s（也未设置 QUOTACERT_KEY）。"+
			"系统不会生成新密钥（新密钥解不开已有数据）。请从备份恢复该密钥文件，见 docs/OPERATIONS.md「数据密钥」。"+
			" The data key is missing: the database holds data sealed with a data key, but the key file %s does not exist and QUOTACERT_KEY is not set."+
			" No new key is made (it could not open the data). Restore the key file from its backup: docs/OPERATIONS.md, \"Data key\"", path, path)
	case errors.Is(err, datakey.ErrUnfinished):
		next := pii.NextKeyPath(f.data)
		return fmt.Errorf("密钥轮换未完成：数据库已用 %s 中的新密钥重新加密，但密钥文件尚未替换。请再次运行 quotacert key rotate 完成轮换。"+
			" A key rotation was interrupted: the database is sealed under the new key in %s, but the key file was not replaced yet."+
			" Run \"quotacert key rotate\" again to finish it", next, next)
	case errors.Is(err, datakey.ErrMismatch):
		want := "?"
		if st, serr := keys.State(ctx); serr == nil && st.Check != "" {
			want = datakey.Short(st.Check)
		}
		got := datakey.Short(given.CheckValue())
		return fmt.Errorf("数据密钥不匹配：%s 中的密钥（校验值 %s）不是加密本数据库数据所用的密钥（校验值 %s）。"+
			"请改用原密钥：从备份恢复密钥文件 %s，或改正 QUOTACERT_KEY，见 docs/OPERATIONS.md「数据密钥」。"+
			" The data key does not match: the key in %s (check value %s) is not the key this database's data is sealed with (check value %s)."+
			" Use the original key: restore the key file %s from its backup, or correct QUOTACERT_KEY (docs/OPERATIONS.md, \"Data key\")",
			source, got, want, path, sourceEn, got, want, path)
	}
	return err
}

// openBlobs opens the attachment store --blob names (files under --data, or an S3 bucket with
// credentials from the environment), sealed with the data key.
func (f *dbFlags) openBlobs(getenv env, key []byte) (blob.Store, error) {
	var plain blob.Store
	var err error
	if f.blob == "" {
		plain, err = blob.OpenFiles(filepath.Join(f.data, "files"))
	} else {
		var cfg blob.S3Config
		if cfg, err = blob.ParseS3URL(f.blob, getenv); err != nil {
			return nil, err
		}
		plain, err = blob.OpenS3(cfg)
	}
	if err != nil {
		return nil, err
	}
	return blob.Sealed(plain, key)
}
