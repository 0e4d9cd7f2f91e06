CREATE TABLE "cart_lines" (
	"workspace_id" text NOT NULL,
	"cart_id" text NOT NULL,
	"variant_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"channel_id" text,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cart_lines_workspace_id_cart_id_variant_id_pk" PRIMARY KEY("workspace_id","cart_id","variant_id"),
	CONSTRAINT "cart_lines_positive" CHECK (quantity > 0)
);
--> statement-breakpoint
CREATE TABLE "carts" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"profile_id" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"currency" text NOT NULL,
	"channel_id" text,
	"version" integer DEFAULT 1 NOT NULL,
	"checkout" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"merged_into" text,
	"order_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "carts_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "categories" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"parent_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "categories_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "channel_locations" (
	"workspace_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"location_id" text NOT NULL,
	"priority" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "channel_locations_workspace_id_channel_id_location_id_pk" PRIMARY KEY("workspace_id","channel_id","location_id")
);
--> statement-breakpoint
CREATE TABLE "channel_prices" (
	"workspace_id" text NOT NULL,
	"variant_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"price" bigint NOT NULL,
	CONSTRAINT "channel_prices_workspace_id_variant_id_channel_id_pk" PRIMARY KEY("workspace_id","variant_id","channel_id")
);
--> statement-breakpoint
CREATE TABLE "product_categories" (
	"workspace_id" text NOT NULL,
	"product_id" text NOT NULL,
	"category_id" text NOT NULL,
	CONSTRAINT "product_categories_workspace_id_product_id_category_id_pk" PRIMARY KEY("workspace_id","product_id","category_id")
);
--> statement-breakpoint
CREATE TABLE "products" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"search_text" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "products_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "sales_channels" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"platform" text,
	"currency" text NOT NULL,
	"source_id" text,
	"allocation_mode" text DEFAULT 'none' NOT NULL,
	"allocation_value" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "sales_channels_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "stock_locations" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"address" text,
	"city" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stock_locations_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "variants" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"product_id" text NOT NULL,
	"sku" text NOT NULL,
	"barcode" text,
	"title" text DEFAULT '' NOT NULL,
	"options" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"price" bigint NOT NULL,
	"currency" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "variants_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "inventory_adjustments" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"variant_id" text NOT NULL,
	"location_id" text NOT NULL,
	"on_hand_delta" integer NOT NULL,
	"reserved_delta" integer NOT NULL,
	"on_hand_after" integer NOT NULL,
	"reserved_after" integer NOT NULL,
	"reason" text NOT NULL,
	"actor" text NOT NULL,
	"ref" text,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inventory_adjustments_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "inventory_levels" (
	"workspace_id" text NOT NULL,
	"variant_id" text NOT NULL,
	"location_id" text NOT NULL,
	"on_hand" integer DEFAULT 0 NOT NULL,
	"reserved" integer DEFAULT 0 NOT NULL,
	"low_stock_threshold" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inventory_levels_workspace_id_variant_id_location_id_pk" PRIMARY KEY("workspace_id","variant_id","location_id"),
	CONSTRAINT "inventory_levels_non_negative" CHECK (on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand)
);
--> statement-breakpoint
CREATE TABLE "reservations" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"variant_id" text NOT NULL,
	"location_id" text NOT NULL,
	"channel_id" text NOT NULL,
	"quantity" integer NOT NULL,
	"holder" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone,
	"order_id" text,
	CONSTRAINT "reservations_workspace_id_id_pk" PRIMARY KEY("workspace_id","id"),
	CONSTRAINT "reservations_positive" CHECK (quantity > 0)
);
--> statement-breakpoint
CREATE TABLE "order_lines" (
	"workspace_id" text NOT NULL,
	"order_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"variant_id" text NOT NULL,
	"product_id" text NOT NULL,
	"sku" text NOT NULL,
	"title" text NOT NULL,
	"category_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"quantity" integer NOT NULL,
	"unit_price" bigint NOT NULL,
	"total" bigint NOT NULL,
	"location_id" text NOT NULL,
	CONSTRAINT "order_lines_workspace_id_order_id_line_no_pk" PRIMARY KEY("workspace_id","order_id","line_no")
);
--> statement-breakpoint
CREATE TABLE "order_transitions" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"order_id" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor" text NOT NULL,
	"note" text,
	"restocked" integer,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "order_transitions_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"channel_id" text NOT NULL,
	"channel_type" text NOT NULL,
	"store_location_id" text,
	"external_id" text,
	"idempotency_key" text,
	"profile_id" text,
	"cart_id" text,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"subtotal" bigint NOT NULL,
	"discount_total" bigint DEFAULT 0 NOT NULL,
	"total" bigint NOT NULL,
	"placed_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "orders_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
CREATE TABLE "profile_commerce" (
	"workspace_id" text NOT NULL,
	"profile_id" text NOT NULL,
	"currency" text NOT NULL,
	"total_spent" bigint DEFAULT 0 NOT NULL,
	"order_count" integer DEFAULT 0 NOT NULL,
	"by_channel" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"first_order_at" timestamp with time zone,
	"last_order_at" timestamp with time zone,
	"last_store_location_id" text,
	"last_store_visit_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "profile_commerce_workspace_id_profile_id_pk" PRIMARY KEY("workspace_id","profile_id")
);
--> statement-breakpoint
CREATE TABLE "customer_tokens" (
	"workspace_id" text NOT NULL,
	"id" text NOT NULL,
	"profile_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "customer_tokens_workspace_id_id_pk" PRIMARY KEY("workspace_id","id")
);
--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "source_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "commerce_settings" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "carts_one_active_per_profile" ON "carts" USING btree ("workspace_id","profile_id") WHERE status = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "categories_ws_slug" ON "categories" USING btree ("workspace_id","slug");--> statement-breakpoint
CREATE INDEX "product_categories_ws_category" ON "product_categories" USING btree ("workspace_id","category_id");--> statement-breakpoint
CREATE UNIQUE INDEX "variants_ws_sku" ON "variants" USING btree ("workspace_id","sku");--> statement-breakpoint
CREATE UNIQUE INDEX "variants_ws_barcode" ON "variants" USING btree ("workspace_id","barcode") WHERE barcode IS NOT NULL;--> statement-breakpoint
CREATE INDEX "variants_ws_product" ON "variants" USING btree ("workspace_id","product_id");--> statement-breakpoint
CREATE INDEX "inventory_adjustments_ws_variant" ON "inventory_adjustments" USING btree ("workspace_id","variant_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "reservations_ws_holder" ON "reservations" USING btree ("workspace_id","holder") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "reservations_expiry" ON "reservations" USING btree ("expires_at") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "order_transitions_ws_order" ON "order_transitions" USING btree ("workspace_id","order_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "orders_ws_channel_external" ON "orders" USING btree ("workspace_id","channel_id","external_id") WHERE external_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "orders_ws_idempotency" ON "orders" USING btree ("workspace_id","idempotency_key") WHERE idempotency_key IS NOT NULL;--> statement-breakpoint
CREATE INDEX "orders_ws_profile" ON "orders" USING btree ("workspace_id","profile_id","placed_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "orders_ws_placed" ON "orders" USING btree ("workspace_id","placed_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "customer_tokens_hash" ON "customer_tokens" USING btree ("token_hash");