BEGIN TRANSACTION;
CREATE TABLE store_item_vectors (
        prefix TEXT NOT NULL,
        key TEXT NOT NULL,
        field TEXT NOT NULL,
        embedding BLOB NOT NULL,  -- little-endian float64s
        PRIMARY KEY (prefix, key, field)
    );
INSERT INTO "store_item_vectors" VALUES('docs','d2','text',X'00000000000000400000000000000000000000000000E03F');
INSERT INTO "store_item_vectors" VALUES('docs.old','d3','text',X'00000000000000000000000000000000000000000000F83F');
INSERT INTO "store_item_vectors" VALUES('docs','d1','text',X'000000000000F03F000000000000F03F000000000000E03F');
CREATE TABLE store_items (
        prefix TEXT NOT NULL,     -- the namespace's labels joined by '.'
        key TEXT NOT NULL,
        value TEXT NOT NULL,      -- JSON
        created_at REAL NOT NULL, -- seconds since the epoch
        updated_at REAL NOT NULL,
        expires_at REAL,          -- NULL: never
        ttl_minutes REAL,
        PRIMARY KEY (prefix, key) -- rowid: the order items were first put in
    );
INSERT INTO "store_items" VALUES('docs','d1','{"text":"a dog and a cat","tag":"pet"}',1800000000.0,1800000000.0,NULL,NULL);
INSERT INTO "store_items" VALUES('users.u1','prefs','{"theme":"dark","n":1}',1800000000.0,1800000000.0,NULL,NULL);
INSERT INTO "store_items" VALUES('docs','d2','{"text":"cat cat","tag":"pet"}',1800000000.0,1800000000.0,1800000600.0,10.0);
INSERT INTO "store_items" VALUES('docs.old','d3','{"text":"fish","tag":"sea"}',1800000000.0,1800000000.0,NULL,NULL);
INSERT INTO "store_items" VALUES('notes','plain','{"text":"no vector"}',1800000000.0,1800000000.0,NULL,NULL);
CREATE TABLE store_migrations (v INTEGER PRIMARY KEY);
INSERT INTO "store_migrations" VALUES(0);
CREATE TABLE store_namespaces (
        prefix TEXT PRIMARY KEY  -- rowid: the order namespaces were first put in
    );
INSERT INTO "store_namespaces" VALUES('docs');
INSERT INTO "store_namespaces" VALUES('users.u1');
INSERT INTO "store_namespaces" VALUES('docs.old');
INSERT INTO "store_namespaces" VALUES('notes');
CREATE INDEX store_items_expires_at ON store_items (expires_at)
        WHERE expires_at IS NOT NULL;
COMMIT;
