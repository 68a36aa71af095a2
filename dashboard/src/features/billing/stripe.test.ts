import { describe, expect, it } from "vitest";
import { stripeScriptUrl } from "./stripe";

describe("where Stripe.js comes from", () => {
  it("is localstripe beside the local API (its port + 2) on this machine", () => {
    expect(stripeScriptUrl({ hostname: "127.0.0.1", port: "20000", protocol: "http:" })).toBe("http://127.0.0.1:20002/js.stripe.com/v3/");
    expect(stripeScriptUrl({ hostname: "localhost", port: "21350", protocol: "http:" })).toBe("http://127.0.0.1:21352/js.stripe.com/v3/");
  });

  it("is Stripe itself anywhere else", () => {
    expect(stripeScriptUrl({ hostname: "app.bytebridge.example", port: "", protocol: "https:" })).toBe("https://js.stripe.com/v3/");
  });
});
