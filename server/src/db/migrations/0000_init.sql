CREATE TABLE "domain_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "domain_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"tx" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"workspace_id" text NOT NULL,
	"type" text NOT NULL,
	"profile_id" text,
	"ref" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_cursors" (
	"consumer" text PRIMARY KEY NOT NULL,
	"tx" "xid8" DEFAULT '0'::xid8 NOT NULL,
	"position" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"workspace_id" text NOT NULL,
	"message_id" text NOT NULL,
	"profile_id" text,
	"source_id" text NOT NULL,
	"channel" text NOT NULL,
	"type" text NOT NULL,
	"event" text,
	"user_id" text,
	"anonymous_id" text,
	"timestamp" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"payload" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identifiers" (
	"workspace_id" text NOT NULL,
	"type" text NOT NULL,
	"value" text NOT NULL,
	"profile_id" text NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "identifiers_workspace_id_type_value_pk" PRIMARY KEY("workspace_id","type","value")
);
--> statement-breakpoint
CREATE TABLE "profile_merges" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"from_profile_id" text NOT NULL,
	"into_profile_id" text NOT NULL,
	"reason" jsonb NOT NULL,
	"merged_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profiles" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"traits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"trait_times" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"channels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"merge_count" integer DEFAULT 0 NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"search_text" text DEFAULT '' NOT NULL,
	"merged_into" text,
	"merged_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "suppressions" (
	"workspace_id" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"dropped_events" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "suppressions_workspace_id_hash_pk" PRIMARY KEY("workspace_id","hash")
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"token_prefix" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sources" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"name" text NOT NULL,
	"channel" text NOT NULL,
	"write_key_hash" text NOT NULL,
	"write_key_prefix" text NOT NULL,
	"rate_limit" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"default_country" text DEFAULT 'VN' NOT NULL,
	"time_zone" text DEFAULT 'Asia/Ho_Chi_Minh' NOT NULL,
	"currency" text DEFAULT 'VND' NOT NULL,
	"identity_rules" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sources" ADD CONSTRAINT "sources_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "domain_events_tx_id" ON "domain_events" USING btree ("tx","id");--> statement-breakpoint
CREATE INDEX "domain_events_ws_id" ON "domain_events" USING btree ("workspace_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "events_ws_message_id" ON "events" USING btree ("workspace_id","message_id");--> statement-breakpoint
CREATE INDEX "events_ws_profile_ts" ON "events" USING btree ("workspace_id","profile_id","timestamp" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "identifiers_ws_profile" ON "identifiers" USING btree ("workspace_id","profile_id");--> statement-breakpoint
CREATE INDEX "profile_merges_ws_into" ON "profile_merges" USING btree ("workspace_id","into_profile_id");--> statement-breakpoint
CREATE INDEX "profiles_ws_last_seen" ON "profiles" USING btree ("workspace_id","last_seen_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "profiles_ws_merged_into" ON "profiles" USING btree ("workspace_id","merged_into") WHERE merged_into IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "api_tokens_ws" ON "api_tokens" USING btree ("workspace_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sources_write_key_hash" ON "sources" USING btree ("write_key_hash");--> statement-breakpoint
CREATE INDEX "sources_ws" ON "sources" USING btree ("workspace_id");