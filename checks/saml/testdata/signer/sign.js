// sign.js: an independent XML-DSig signer for checks/saml's tests, built on
// xml-crypto (not goxmldsig). It reads one JSON object on standard input:
//   {"xml": "...", "key": "PEM private key", "cert": "PEM certificate",
//    "target": "Assertion" | "Response"}
// and writes the XML with the target element signed the way IdPs sign SAML:
// an enveloped RSA-SHA256 signature, exclusive C14N, placed after the
// target's Issuer, with the certificate in KeyInfo.
"use strict";
const { SignedXml } = require("xml-crypto");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (c) => (input += c));
process.stdin.on("end", () => {
  const req = JSON.parse(input);
  const target = `//*[local-name(.)='${req.target}']`;
  const sig = new SignedXml({
    privateKey: req.key,
    publicCert: req.cert,
    signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#",
  });
  sig.addReference({
    xpath: target,
    digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256",
    transforms: [
      "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
      "http://www.w3.org/2001/10/xml-exc-c14n#",
    ],
  });
  sig.computeSignature(req.xml, {
    prefix: "ds",
    location: { reference: `${target}/*[local-name(.)='Issuer']`, action: "after" },
  });
  process.stdout.write(sig.getSignedXml());
});
