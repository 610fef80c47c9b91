import { Readable } from "node:stream";
import { deflateSync } from "node:zlib";
import { GridFSBucket } from "mongodb";
import mongoose from "mongoose";
import { beforeAll, describe, expect, it } from "vitest";
import { Achievement } from "~/models/achievement.server.ts";
import { AuditEvent } from "~/models/audit-event.server.ts";
import type { AchievementDataInput } from "~/schemas/listing.ts";
import { getSessionUserById, type SessionUser } from "~/services/accounts/accounts.server.ts";
import { addAttachment, addAttachments, removeAttachment } from "~/services/files/attachments.server.ts";
import { openAttachment } from "~/services/files/open.server.ts";
import { sweepOrphanAttachments } from "~/services/files/sweep.server.ts";
import { createAchievement, createDemand } from "~/services/listings/commands.server.ts";
import { getListing } from "~/services/listings/queries.server.ts";
import { transitionListing } from "~/services/listings/workflow.server.ts";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "~/utils/errors.ts";
import type { Role } from "~/utils/permissions.ts";
import { upsertOrganization, upsertUser } from "../../seeds/factories.ts";

// ------------------------------------------------------------------------------------------------
// Real files, built byte by byte

/** A small but complete PDF (one empty A4 page) with a correct cross-reference table. */
function makePdf(text = "test report"): Buffer {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>`,
  ];
  const stream = `BT /F1 12 Tf 72 770 Td (${text}) Tj ET`;
  objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A valid w×h RGB PNG filled with one colour. */
function makePng(w = 2, h = 2, rgb: [number, number, number] = [179, 38, 30]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** What a Windows program looks like: "MZ", then a DOS stub. */
const EXE = Buffer.concat([
  Buffer.from("MZ\x90\x00\x03\x00\x00\x00\x04\x00", "latin1"),
  Buffer.from("This program cannot be run in DOS mode."),
]);

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

const files = () => mongoose.connection.db!.collection("attachments.files");
const chunks = () => mongoose.connection.db!.collection("attachments.chunks");

// ------------------------------------------------------------------------------------------------

async function person(email: string, roles: Role[], org: string | null): Promise<SessionUser> {
  const organization = org ? await upsertOrganization({ name: org, type: "institute", region: "532601" }) : null;
  const u = await upsertUser({ email, name: email.split("@")[0]!, password: "Terraces2025", roles, organization });
  return (await getSessionUserById(String(u._id)))!;
}

let seller: SessionUser, colleague: SessionUser, otherSeller: SessionUser, broker: SessionUser, buyer: SessionUser;

beforeAll(async () => {
  seller = await person("seller@lab.cn", ["seller"], "文山三七研究所");
  colleague = await person("colleague@lab.cn", ["seller"], "文山三七研究所");
  otherSeller = await person("other@uni.cn", ["seller"], "某大学");
  broker = await person("broker@agency.cn", ["broker"], "技术转移中心");
  buyer = await person("buyer@coop.cn", ["buyer"], "兴街镇合作社");
});

const content: AchievementDataInput = {
  title: "三七根腐病生物防治菌剂",
  summary: "拮抗菌复配菌剂，田间防效 72%",
  description: "针对三七连作根腐病的微生物菌剂及施用技术。",
  field: "plateau-agriculture",
  ipType: "invention-patent",
  patentNumbers: ["ZL201910123456.X"],
  trl: 6,
  transactionModes: ["transfer"],
  price: { mode: "negotiable" },
  region: "532623",
};
const draft = () => createAchievement(seller, content);
const attachmentsOf = async (id: string) => (await Achievement.findById(id).lean())!.attachments ?? [];

describe("uploading evidence", () => {
  it("stores a PDF and a PNG in GridFS and gives them back byte for byte", async () => {
    const id = await draft();
    const pdf = makePdf();
    const png = makePng();
    const [a, b] = await addAttachments(seller, "achievement", id, [
      { filename: "检测报告（云南省农科院）.pdf", kind: "test-report", bytes: pdf },
      { filename: "田间照片.png", kind: "photo", bytes: png },
    ]);
    expect(a).toMatchObject({
      filename: "检测报告（云南省农科院）.pdf",
      contentType: "application/pdf",
      size: pdf.length,
      kind: "test-report",
    });
    expect(b).toMatchObject({ filename: "田间照片.png", contentType: "image/png", size: png.length, kind: "photo" });

    // The owner sees them on the item…
    const { item } = await getListing(seller, "achievement", id);
    expect(item.attachments.map((x) => [x.filename, x.contentType, x.kind])).toEqual([
      ["检测报告（云南省农科院）.pdf", "application/pdf", "test-report"],
      ["田间照片.png", "image/png", "photo"],
    ]);
    // …and opening them gives exactly what was uploaded.
    const openedPdf = await openAttachment(seller, a!.id);
    expect(openedPdf.contentType).toBe("application/pdf");
    expect((await readAll(openedPdf.stream)).equals(pdf)).toBe(true);
    expect((await readAll((await openAttachment(seller, b!.id)).stream)).equals(png)).toBe(true);

    const stored = await attachmentsOf(id);
    expect(stored.map((s) => String(s.uploadedBy))).toEqual([seller.id, seller.id]);
    expect(await AuditEvent.countDocuments({ subject: new mongoose.Types.ObjectId(id), action: "attachmentAdded" })).toBe(2);
  });

  it("accepts a JPEG and a WebP by their content and reads a stream input", async () => {
    const id = await draft();
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from("JFIF\0"), Buffer.alloc(64, 7)]);
    const webp = Buffer.concat([Buffer.from("RIFF"), Buffer.from([0x24, 0, 0, 0]), Buffer.from("WEBPVP8 "), Buffer.alloc(32, 1)]);
    const j = await addAttachment(seller, "achievement", id, {
      filename: "certificate.JPG",
      kind: "patent-certificate",
      stream: Readable.from([jpeg]),
    });
    const w = await addAttachment(seller, "achievement", id, { filename: "photo", kind: "photo", bytes: webp });
    expect([j.contentType, j.filename]).toEqual(["image/jpeg", "certificate.JPG"]);
    expect([w.contentType, w.filename]).toEqual(["image/webp", "photo.webp"]);
  });

  it("refuses an .exe renamed .pdf, and nothing is stored", async () => {
    const id = await draft();
    const [filesBefore, chunksBefore] = await Promise.all([files().countDocuments(), chunks().countDocuments()]);
    const err = await addAttachment(seller, "achievement", id, { filename: "检测报告.pdf", kind: "test-report", bytes: EXE }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors.attachments).toEqual(["listingForm.attachments.invalidFile?filename=%E6%A3%80%E6%B5%8B%E6%8A%A5%E5%91%8A.pdf"]);
    expect(await files().countDocuments()).toBe(filesBefore);
    expect(await chunks().countDocuments()).toBe(chunksBefore);
    expect(await attachmentsOf(id)).toEqual([]);
  });

  it("attaches all files of an upload or none of them", async () => {
    const id = await draft();
    const filesBefore = await files().countDocuments();
    await expect(
      addAttachments(seller, "achievement", id, [
        { filename: "ok.pdf", kind: "test-report", bytes: makePdf() },
        { filename: "setup.pdf", kind: "other", bytes: EXE },
      ]),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await files().countDocuments()).toBe(filesBefore);
    expect(await attachmentsOf(id)).toEqual([]);
  });

  it("refuses a file over 10 MB, given as bytes or as a stream", async () => {
    const id = await draft();
    const filesBefore = await files().countDocuments();
    const big = Buffer.concat([makePdf(), Buffer.alloc(11 * 1024 * 1024 - makePdf().length, 0x20)]);
    for (const input of [{ bytes: big }, { stream: Readable.from([big.subarray(0, 6_000_000), big.subarray(6_000_000)]) }]) {
      const err = await addAttachment(seller, "achievement", id, { filename: "中试报告.pdf", kind: "pilot-report", ...input }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.fieldErrors.attachments[0]).toMatch(/^listingForm\.attachments\.invalidFile\?/);
    }
    expect(await files().countDocuments()).toBe(filesBefore);
    expect(await attachmentsOf(id)).toEqual([]);
  });

  it("refuses an empty file and an unknown kind of document", async () => {
    const id = await draft();
    const err = await addAttachments(seller, "achievement", id, [
      { filename: "empty.pdf", kind: "test-report", bytes: Buffer.alloc(0) },
      { filename: "a.pdf", kind: "selfie", bytes: makePdf() },
    ]).catch((e) => e);
    expect(err.fieldErrors).toEqual({
      attachments: ["listingForm.attachments.emptyFile?filename=empty.pdf"],
      kind: ["listingForm.attachments.kindInvalid"],
    });
  });

  it("keeps at most 10 files per item", async () => {
    const id = await draft();
    await addAttachments(
      seller,
      "achievement",
      id,
      Array.from({ length: 10 }, (_, i) => ({ filename: `照片${i + 1}.png`, kind: "photo", bytes: makePng(1 + i, 1) })),
    );
    const filesBefore = await files().countDocuments();
    const err = await addAttachment(seller, "achievement", id, { filename: "第11张.png", kind: "photo", bytes: makePng() }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors.attachments[0]).toMatch(/^listingForm\.attachments\.tooMany/);
    expect(await attachmentsOf(id)).toHaveLength(10);
    expect(await files().countDocuments()).toBe(filesBefore);
  });

  it("stores names without directories and with an extension that matches the content", async () => {
    const id = await draft();
    const a = await addAttachment(seller, "achievement", id, { filename: "..\\..\\windows\\报告.exe", kind: "other", bytes: makePdf() });
    expect(a.filename).toBe("报告.pdf");
  });

  it("lets a colleague of the same organisation attach, but no one else", async () => {
    const id = await draft();
    await expect(addAttachment(colleague, "achievement", id, { filename: "a.pdf", kind: "other", bytes: makePdf() })).resolves.toBeTruthy();
    const filesBefore = await files().countDocuments();
    // A draft is invisible to another seller: as if it did not exist.
    await expect(
      addAttachment(otherSeller, "achievement", id, { filename: "b.pdf", kind: "other", bytes: makePdf() }),
    ).rejects.toBeInstanceOf(NotFoundError);
    // A reviewer may see the draft but it is not theirs to change.
    await expect(addAttachment(broker, "achievement", id, { filename: "c.pdf", kind: "other", bytes: makePdf() })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(await files().countDocuments()).toBe(filesBefore);
    expect((await attachmentsOf(id)).map((a) => a.filename)).toEqual(["a.pdf"]);
  });

  it("refuses changes once the item is submitted for review", async () => {
    const id = await draft();
    const a = await addAttachment(seller, "achievement", id, { filename: "a.pdf", kind: "other", bytes: makePdf() });
    await transitionListing(seller, "achievement", id, "submit");
    await expect(addAttachment(seller, "achievement", id, { filename: "b.pdf", kind: "other", bytes: makePdf() })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(removeAttachment(seller, "achievement", id, a.id)).rejects.toBeInstanceOf(ConflictError);
    expect(await attachmentsOf(id)).toHaveLength(1);
  });

  it("works for demands too", async () => {
    const buyerSeller = await person("both@tea.cn", ["buyer"], "高山茶业");
    const id = await createDemand(buyerSeller, {
      title: "茶叶杀青设备改进",
      description: "现有设备能耗高。",
      field: "food-processing",
      transactionModes: ["cooperation"],
      region: "532623205",
    });
    const png = makePng(3, 3);
    const a = await addAttachment(buyerSeller, "demand", id, { filename: "现场.png", kind: "photo", bytes: png });
    expect((await readAll((await openAttachment(buyerSeller, a.id)).stream)).equals(png)).toBe(true);
    await expect(openAttachment(seller, a.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("removing evidence", () => {
  it("removes the metadata and the file", async () => {
    const id = await draft();
    const keep = await addAttachment(seller, "achievement", id, { filename: "keep.pdf", kind: "test-report", bytes: makePdf("keep") });
    const gone = await addAttachment(seller, "achievement", id, { filename: "gone.pdf", kind: "test-report", bytes: makePdf("gone") });
    await removeAttachment(seller, "achievement", id, gone.id);
    expect((await attachmentsOf(id)).map((a) => a.filename)).toEqual(["keep.pdf"]);
    expect(await files().countDocuments({ _id: new mongoose.Types.ObjectId(gone.id) })).toBe(0);
    expect(await chunks().countDocuments({ files_id: new mongoose.Types.ObjectId(gone.id) })).toBe(0);
    await expect(openAttachment(seller, gone.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(openAttachment(seller, keep.id)).resolves.toMatchObject({ filename: "keep.pdf" });
    expect(
      await AuditEvent.countDocuments({ subject: new mongoose.Types.ObjectId(id), action: "attachmentRemoved", reason: "gone.pdf" }),
    ).toBe(1);
  });

  it("does not let another seller delete someone else's evidence", async () => {
    const id = await draft();
    const a = await addAttachment(seller, "achievement", id, { filename: "a.pdf", kind: "test-report", bytes: makePdf() });
    await expect(removeAttachment(otherSeller, "achievement", id, a.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(removeAttachment(broker, "achievement", id, a.id)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await attachmentsOf(id)).toHaveLength(1);
    expect(await files().countDocuments({ _id: new mongoose.Types.ObjectId(a.id) })).toBe(1);
  });

  it("does not remove an attachment through another item the actor owns", async () => {
    const mine = await draft();
    const theirs = await createAchievement(otherSeller, content);
    const a = await addAttachment(otherSeller, "achievement", theirs, { filename: "a.pdf", kind: "test-report", bytes: makePdf() });
    await expect(removeAttachment(seller, "achievement", mine, a.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await attachmentsOf(theirs)).toHaveLength(1);
  });
});

describe("opening evidence", () => {
  it("hides a draft's files from strangers and shows them to everyone once the item is published", async () => {
    const id = await draft();
    const pdf = makePdf("pilot");
    const a = await addAttachment(seller, "achievement", id, { filename: "中试报告.pdf", kind: "pilot-report", bytes: pdf });

    await expect(openAttachment(null, a.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(openAttachment(buyer, a.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(openAttachment(otherSeller, a.id)).rejects.toBeInstanceOf(NotFoundError);

    await transitionListing(seller, "achievement", id, "submit");
    // The reviewer needs the evidence to review.
    expect((await readAll((await openAttachment(broker, a.id)).stream)).equals(pdf)).toBe(true);
    await transitionListing(broker, "achievement", id, "approve");

    const opened = await openAttachment(null, a.id);
    expect(opened).toMatchObject({ filename: "中试报告.pdf", contentType: "application/pdf", size: pdf.length });
    expect((await readAll(opened.stream)).equals(pdf)).toBe(true);
    await expect(openAttachment(buyer, a.id)).resolves.toBeTruthy();

    // Withdrawn: private again.
    await transitionListing(seller, "achievement", id, "withdraw");
    await expect(openAttachment(null, a.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("answers not found for ids that are not attachments", async () => {
    await expect(openAttachment(seller, "not-an-id")).rejects.toBeInstanceOf(NotFoundError);
    await expect(openAttachment(seller, new mongoose.Types.ObjectId().toHexString())).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("orphaned files", () => {
  it("sweeps GridFS files no item refers to and leaves the others", async () => {
    const id = await draft();
    const kept = await addAttachment(seller, "achievement", id, { filename: "kept.pdf", kind: "other", bytes: makePdf() });
    const bucket = new GridFSBucket(mongoose.connection.db!, { bucketName: "attachments" });
    const orphan = bucket.openUploadStream("orphan.pdf");
    await new Promise<void>((resolve, reject) => orphan.end(makePdf(), (e?: Error | null) => (e ? reject(e) : resolve())));
    expect(await sweepOrphanAttachments(0, new Date(Date.now() + 1000))).toBeGreaterThanOrEqual(1);
    expect(await files().countDocuments({ _id: orphan.id })).toBe(0);
    expect(await files().countDocuments({ _id: new mongoose.Types.ObjectId(kept.id) })).toBe(1);
  });
});
