import mongoose, { Schema, type InferSchemaType } from "mongoose";

/**
 * A technology broker's offer to help in a negotiation (a deal room) or a deal that has no broker
 * (/work, issue 13, point 12): the parties are told and may invite the broker into the room. One
 * offer per broker and room or deal.
 */
const brokerHelpOfferSchema = new Schema(
  {
    broker: { type: Schema.Types.ObjectId, ref: "User", required: true },
    brokerName: { type: String, required: true },
    room: { type: Schema.Types.ObjectId, ref: "DealRoom" },
    deal: { type: Schema.Types.ObjectId, ref: "Deal" },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
brokerHelpOfferSchema.index({ broker: 1, room: 1 }, { unique: true, partialFilterExpression: { room: { $type: "objectId" } } });
brokerHelpOfferSchema.index({ broker: 1, deal: 1 }, { unique: true, partialFilterExpression: { deal: { $type: "objectId" } } });

export type BrokerHelpOfferDoc = InferSchemaType<typeof brokerHelpOfferSchema>;
export const BrokerHelpOffer =
  (mongoose.models.BrokerHelpOffer as mongoose.Model<BrokerHelpOfferDoc>) ?? mongoose.model("BrokerHelpOffer", brokerHelpOfferSchema);
