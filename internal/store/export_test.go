package store

// For the external tests: the tables the view generations follow and their triggers' names.

func (db *DB) GenTables() []string { return genTables() }

func (db *DB) GenTriggerNames(table string) []string { return db.genTriggerNames(table) }
