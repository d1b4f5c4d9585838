package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/b2cemu/b2cemu/flows/engine"
)

// DB is the embedded database in dataDir (bbolt: one file, transactions, each commit synced
// to disk before it returns, so nothing acknowledged is lost to a crash).
type DB struct {
	db *bolt.DB
}

var (
	bucketUsers = []byte("users")
	bucketKeys  = []byte("keys")
)

// Open opens (creating) the database file. A second process on the same file is refused.
func Open(path string) (*DB, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("%s is in use by another b2cemu; give each one its own dataDir", path)
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketUsers, bucketKeys} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("preparing %s: %w", path, err)
	}
	return &DB{db: db}, nil
}

// Close closes the file.
func (d *DB) Close() error { return d.db.Close() }

// Key returns a stored secret (a signing key, the development CA), or nil.
func (d *DB) Key(name string) ([]byte, error) {
	var out []byte
	err := d.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketKeys).Get([]byte(name)); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out, err
}

// PutKey stores a secret.
func (d *DB) PutKey(name string, value []byte) error {
	return d.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketKeys).Put([]byte(name), value) })
}

// storedUser is a user's record in the database.
type storedUser struct {
	User         *engine.User `json:"user"`
	PasswordHash []byte       `json:"passwordHash,omitempty"`
}

func (d *DB) loadUsers() ([]Exported, error) {
	var out []Exported
	err := d.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
			var su storedUser
			if err := json.Unmarshal(v, &su); err != nil {
				return fmt.Errorf("user %s: %w", k, err)
			}
			restoreTypes(su.User.Attributes)
			out = append(out, Exported(su))
			return nil
		})
	})
	return out, err
}

// restoreTypes turns JSON numbers back into int attributes.
func restoreTypes(c engine.Claims) {
	for k, v := range c {
		if f, ok := v.(float64); ok && f == float64(int64(f)) {
			c[k] = int64(f)
		}
	}
}

// putUsers writes users in one transaction.
func (d *DB) putUsers(users ...Exported) error {
	return d.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsers)
		for _, e := range users {
			v, err := json.Marshal(storedUser(e))
			if err != nil {
				return err
			}
			if err := b.Put([]byte(e.User.ObjectID), v); err != nil {
				return err
			}
		}
		return nil
	})
}

func (d *DB) deleteUser(id string) error {
	return d.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketUsers).Delete([]byte(id)) })
}

func (d *DB) clearUsers() error {
	return d.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketUsers); err != nil {
			return err
		}
		_, err := tx.CreateBucket(bucketUsers)
		return err
	})
}
