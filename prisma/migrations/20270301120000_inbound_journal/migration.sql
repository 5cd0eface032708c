-- CreateTable
CREATE TABLE "InboundStanza" (
    "domain" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,
    "kind" "StanzaKind" NOT NULL,
    "stanzaType" TEXT,
    "fromJid" TEXT NOT NULL,
    "senderBare" TEXT NOT NULL,
    "toJid" TEXT NOT NULL,
    "xml" TEXT NOT NULL,

    CONSTRAINT "InboundStanza_pkey" PRIMARY KEY ("domain","seq")
);

-- CreateTable
CREATE TABLE "JournalMark" (
    "domain" TEXT NOT NULL,
    "prunedThrough" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "JournalMark_pkey" PRIMARY KEY ("domain")
);

-- CreateIndex
CREATE INDEX "InboundStanza_domain_receivedAt_idx" ON "InboundStanza"("domain", "receivedAt");
