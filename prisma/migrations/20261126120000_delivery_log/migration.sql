-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('pending', 'delivered', 'failed');

-- CreateEnum
CREATE TYPE "StanzaKind" AS ENUM ('message', 'presence', 'iq');

-- CreateTable
CREATE TABLE "Delivery" (
    "id" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "kind" "StanzaKind" NOT NULL,
    "stanzaType" TEXT,
    "stanzaId" TEXT NOT NULL,
    "fromJid" TEXT NOT NULL,
    "senderBare" TEXT NOT NULL,
    "toJid" TEXT NOT NULL,
    "lang" TEXT,
    "xml" TEXT NOT NULL,
    "status" "DeliveryStatus" NOT NULL,
    "attemptCount" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "outcome" TEXT,
    "replyXml" TEXT,
    "redeliveryOf" UUID,

    CONSTRAINT "Delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeliveryAttempt" (
    "deliveryId" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "httpStatus" INTEGER,
    "responseHeaders" JSONB,
    "responseExcerpt" TEXT,
    "responseTruncated" BOOLEAN NOT NULL DEFAULT false,
    "errorKind" TEXT,
    "errorText" TEXT,

    CONSTRAINT "DeliveryAttempt_pkey" PRIMARY KEY ("deliveryId","number")
);

-- CreateIndex
CREATE INDEX "Delivery_createdAt_id_idx" ON "Delivery"("createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Delivery_status_createdAt_idx" ON "Delivery"("status", "createdAt");

-- CreateIndex
CREATE INDEX "Delivery_senderBare_createdAt_idx" ON "Delivery"("senderBare", "createdAt" DESC);

-- AddForeignKey
ALTER TABLE "DeliveryAttempt" ADD CONSTRAINT "DeliveryAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "Delivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;
