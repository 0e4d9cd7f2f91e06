CREATE TABLE "cart_codes" (
	"workspace_id" text NOT NULL,
	"cart_id" text NOT NULL,
	"code" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cart_codes_workspace_id_cart_id_code_pk" PRIMARY KEY("workspace_id","cart_id","code")
);
--> statement-breakpoint
CREATE TABLE "promotion_audit" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"promotion_id" text NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promotion_audit_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "promotion_codes" (
	"workspace_id" text NOT NULL,
	"code" text NOT NULL,
	"promotion_id" text NOT NULL,
	"batch_id" text,
	"max_uses" integer,
	"uses" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promotion_codes_workspace_id_code_pk" PRIMARY KEY("workspace_id","code")
);
--> statement-breakpoint
CREATE TABLE "promotion_redemptions" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"promotion_id" text NOT NULL,
	"code" text,
	"order_id" text NOT NULL,
	"profile_id" text,
	"channel_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"order_total" bigint NOT NULL,
	"status" text DEFAULT 'applied' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promotion_redemptions_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "promotions" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"status" text DEFAULT 'draft' NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	"stacking" text DEFAULT 'combinable' NOT NULL,
	"requires_code" boolean DEFAULT false NOT NULL,
	"reward" jsonb NOT NULL,
	"conditions" jsonb,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"usage_limit" integer,
	"per_customer_limit" integer,
	"budget" bigint,
	"uses" integer DEFAULT 0 NOT NULL,
	"discount_given" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "promotions_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
ALTER TABLE "order_lines" ADD COLUMN "discount" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "promotion_audit_ws_promotion" ON "promotion_audit" USING btree ("workspace_id","promotion_id","at");--> statement-breakpoint
CREATE INDEX "promotion_codes_ws_promotion" ON "promotion_codes" USING btree ("workspace_id","promotion_id","batch_id");--> statement-breakpoint
CREATE UNIQUE INDEX "promotion_redemptions_order" ON "promotion_redemptions" USING btree ("workspace_id","promotion_id","order_id");--> statement-breakpoint
CREATE INDEX "promotion_redemptions_customer" ON "promotion_redemptions" USING btree ("workspace_id","promotion_id","profile_id");--> statement-breakpoint
CREATE INDEX "promotions_ws_status" ON "promotions" USING btree ("workspace_id","status");