// One sign-in story per call, driven by the real Cognito SDKs against the pool at ENDPOINT.
// Usage: node run.js <scenario> '<json arguments>'; prints one JSON line: {"ok": ..., ...}.
"use strict";
const crypto = require("node:crypto");

function totp(secretBase32, offsetSeconds = 0) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const ch of secretBase32.replace(/=+$/, "")) bits += alphabet.indexOf(ch).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor((Date.now() / 1000 + offsetSeconds) / 30)));
  const mac = crypto.createHmac("sha1", Buffer.from(bytes)).update(counter).digest();
  const at = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(at) & 0x7fffffff) % 1000000;
  return String(value).padStart(6, "0");
}

function errorOf(err) {
  return { ok: false, code: err.code || err.name, message: err.message };
}

function identityJs(args) {
  const { CognitoUserPool, CognitoUser, AuthenticationDetails } = require("amazon-cognito-identity-js");
  const pool = new CognitoUserPool({ UserPoolId: args.poolId, ClientId: args.clientId, endpoint: args.endpoint });
  const user = new CognitoUser({ Username: args.username, Pool: pool });
  const details = new AuthenticationDetails({ Username: args.username, Password: args.password });
  const seen = [];
  return new Promise((resolve) => {
    const callbacks = {
      onSuccess(session) {
        resolve({ ok: true, flow: user.authenticationFlowType, seen, username: session.getAccessToken().payload.username });
      },
      onFailure(err) {
        resolve({ ...errorOf(err), seen });
      },
      totpRequired(name) {
        seen.push(name);
        user.sendMFACode(totp(args.secret, 30), callbacks, "SOFTWARE_TOKEN_MFA");
      },
      newPasswordRequired() {
        seen.push("NEW_PASSWORD_REQUIRED");
        user.completeNewPasswordChallenge(args.newPassword, {}, callbacks);
      },
      mfaSetup() {
        seen.push("MFA_SETUP");
        user.associateSoftwareToken({
          associateSecretCode(secret) {
            seen.push("ASSOCIATED");
            user.verifySoftwareToken(totp(secret), "sdk-phone", callbacks);
          },
          onFailure(err) {
            resolve({ ...errorOf(err), seen });
          },
        });
      },
    };
    user.authenticateUser(details, callbacks);
  });
}

async function sdkV3(args) {
  // The AWS SDK for JavaScript v3 carries USER_SRP_AUTH; the SRP math comes from the SDK's helper.
  const idp = require("@aws-sdk/client-cognito-identity-provider");
  const { AuthenticationHelper, DateHelper } = require("amazon-cognito-identity-js");
  const BigInteger = require("amazon-cognito-identity-js/lib/BigInteger").default;
  const client = new idp.CognitoIdentityProviderClient({
    region: args.region,
    endpoint: args.endpoint,
    credentials: { accessKeyId: args.accessKeyId, secretAccessKey: args.secretAccessKey },
  });
  const poolName = args.poolId.split("_")[1];
  const helper = new AuthenticationHelper(poolName);
  const srpA = await new Promise((ok, fail) => helper.getLargeAValue((e, a) => (e ? fail(e) : ok(a))));
  try {
    const first = await client.send(new idp.InitiateAuthCommand({
      AuthFlow: "USER_SRP_AUTH", ClientId: args.clientId,
      AuthParameters: { USERNAME: args.username, SRP_A: srpA.toString(16) },
    }));
    const p = first.ChallengeParameters;
    const key = await new Promise((ok, fail) => helper.getPasswordAuthenticationKey(
      p.USER_ID_FOR_SRP, args.password, new BigInteger(p.SRP_B, 16), new BigInteger(p.SALT, 16),
      (e, k) => (e ? fail(e) : ok(k))));
    const stamp = new DateHelper().getNowString();
    const message = Buffer.concat([Buffer.from(poolName), Buffer.from(p.USER_ID_FOR_SRP),
      Buffer.from(p.SECRET_BLOCK, "base64"), Buffer.from(stamp)]);
    const signature = crypto.createHmac("sha256", Buffer.from(key)).update(message).digest("base64");
    const done = await client.send(new idp.RespondToAuthChallengeCommand({
      ChallengeName: "PASSWORD_VERIFIER", ClientId: args.clientId,
      ChallengeResponses: { USERNAME: p.USER_ID_FOR_SRP, TIMESTAMP: stamp,
        PASSWORD_CLAIM_SECRET_BLOCK: p.SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE: signature },
    }));
    const admin = await client.send(new idp.AdminGetUserCommand({ UserPoolId: args.poolId, Username: args.username }));
    return { ok: Boolean(done.AuthenticationResult), challenge: done.ChallengeName || null, adminUser: admin.Username };
  } catch (err) {
    return errorOf(err);
  }
}

async function amplify(args) {
  const { Amplify } = require("aws-amplify");
  const auth = require("aws-amplify/auth");
  Amplify.configure({
    Auth: { Cognito: { userPoolId: args.poolId, userPoolClientId: args.clientId, userPoolEndpoint: args.endpoint } },
  });
  const steps = [];
  try {
    let result = await auth.signIn({ username: args.username, password: args.password });
    steps.push(result.nextStep.signInStep);
    if (result.nextStep.signInStep === "CONFIRM_SIGN_IN_WITH_TOTP_CODE") {
      result = await auth.confirmSignIn({ challengeResponse: totp(args.secret, 30) });
      steps.push(result.nextStep.signInStep);
    }
    const session = await auth.fetchAuthSession();
    const username = session.tokens.accessToken.payload.username;
    let refreshed = null;
    if (args.skewSeconds) {
      // The app's clock moves past the access token's expiry: Amplify must refresh with the pool.
      const before = session.tokens.accessToken.toString();
      const realNow = Date.now;
      Date.now = () => realNow() + args.skewSeconds * 1000;
      const again = await auth.fetchAuthSession();
      refreshed = again.tokens.accessToken.toString() !== before;
      Date.now = realNow;
    }
    await auth.signOut();
    const after = await auth.fetchAuthSession();
    return { ok: true, steps, username, refreshed, signedOut: after.tokens === undefined };
  } catch (err) {
    return { ...errorOf(err), steps };
  }
}

const scenarios = { "identity-js": identityJs, "sdk-v3": sdkV3, amplify };

(async () => {
  const [name, raw] = process.argv.slice(2);
  const run = scenarios[name];
  if (!run) {
    console.log(JSON.stringify({ ok: false, code: "UnknownScenario", message: name }));
    process.exit(2);
  }
  const result = await run(JSON.parse(raw));
  console.log(JSON.stringify(result));
  process.exit(0);
})();
