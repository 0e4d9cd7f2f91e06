CREATE TABLE "dead_letters" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"consumer" text NOT NULL,
	"entry_id" bigint NOT NULL,
	"entry_type" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer NOT NULL,
	"error" text NOT NULL,
	"first_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_failed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"next_attempt_at" timestamp with time zone,
	CONSTRAINT "dead_letters_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "dead_letters_consumer_entry" ON "dead_letters" USING btree ("consumer","entry_id");--> statement-breakpoint
CREATE INDEX "dead_letters_due" ON "dead_letters" USING btree ("consumer","next_attempt_at");