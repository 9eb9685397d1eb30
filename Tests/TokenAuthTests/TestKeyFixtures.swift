/// Key material generated for these tests only (`openssl genpkey`, 2026-11): never used elsewhere.
/// RSA is a fixture because jwt-kit 5.8.0 has no RSA key generation; P-256 and Ed25519 keys are
/// generated per test run by jwt-kit itself.
enum TestKeyFixtures {
    static let rsaPrivateKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDIe8unSZnx9L8m
K30R/jcfZTBO5EWuZpoNqnCyDkk0c+SFnH3VCcq44Vnyq/eorcZ9YvUZsSy0WaJa
RmMviFFbLPysk34nSj4+gB6gWmAQ4/5SKZLI6lJdi+31P7U1yuh/EOwakUw3Wo2z
JZHlTXbbKYuTPg3B8fOVy+ZF99rnFih/bR/2DvYk6exmKelWrFm7WVps8fopY97j
fp0LepEFeGEcPuxJyrODwi9dWiXp9a/SwFmXpOsavYyTGRUTKaUF6VyX21G0SdBD
I6IZ0S8RFn4ptmOLYpUoS1cdwnQAQ7hho1LYUK9Enw4XypyhE6Sl6OM6rdtMAxXj
HbBmtr1RAgMBAAECggEAF8ZEdZNfF+gN9e0Q0R4sM8MoaiacU8zzhlzYrejPShLX
Pff7nRSi72873zEA9sYaxHpEdhZCZqW9gMaZkwSvnygT07RO8MJXZMqFNz9YZpBe
86fd8gkFmPXT03JJXzZvgUgEs7bYyrSomp7BMSfRSTahSGYCtCXo3LH4HgKBOUd7
7Fgt9Jv38gzR9Dl/gh/immqsnu1VNrjqOqcUXL2vS9XR0VhCdgrux9e/sid5Oqog
FS4Brqx4ZMXChgRtfLunWjpNqPQPVvrGN3yVPzKxl4SvsiTWIfjOTXlWJvCZ9h1H
05sxiNxo2f+XYu2V0w9ON7TaGh/lkhFyG5hbqKGOJQKBgQDlHqG+uI70HhZr4W0P
0VYxbICSjKne5qH17FQn32UsIeDJxYS70FUgZt0Oh5ib060DwOmEsHg5ItM085dg
aa+a/firmLLfgO6u8mvWAwc5mRoIZhkTTiC+jgoM4Ud3KdoxNDNOygUQUDETQqJj
dmllYL1M0QE+6P7Ew8A0RjcvZQKBgQDgARvw1POZo8isRPOJ4Gb1HiktaOSQ4xRc
J18P5XvYC8RE3DzxLcqya9vpfbXmJjcOw4eyw2FljFyiOP3IF1ne4j5iNnLOahC0
U0ket691HJoaWGLYKduPMkBQaV55J03vRWJXV6Vd3mcqQdF56c98Fb4tEFVSeq7/
OXzRmQ8lfQKBgGMbCOOyeUNm8FPhwochCaN/R24coi3knRH/E7fbjau1S8J7SZrj
1q6ZT+1FAeIFgcUp4NigbKBqS+mPpF7z2B221aWD+3tqDdRmz/ZWgP2NGBGh+B69
oLRMRFSl7X/B/rth1P+zqtUPmuq13AAh7B0J51ge3+cSaYE7GxyBcsVxAoGAafpc
W76EWaYRZN9iUVLnowRX+vHrYVjt4wOFiCHMS9SVUPbZpklB4tQAwSEGlBJ0bfm4
E604QTD9CoroFmhlzns/hHu6KUopCQd2SqAg1MlpZxl1+ksjY0YlA2Y2mh8sUg2D
j0saI6T7LhThpEooLc6joPJfS5xbesiZ8xf1AIkCgYEAuzq/+mEIWEj938iDBOnD
NpoAYjvKS4SzWLdFgTvsnhQvIlZQO8gANofMAmHiq24H8YB1AHymMNGBuIuCacUo
eZ5yXNfpWnZVgxJw/6hn9K7xxwxD+SdRo+4uQc18zc+4TcmGzKpExAUrXUlJdSwX
4KQ13Byj9Ot4T1EuCY/ZdMc=
-----END PRIVATE KEY-----
"""

    /// A P-384 public key: valid PEM of a kind TokenAuth does not accept.
    static let p384PublicKeyPEM = """
-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEv1WVFFDCqVWXfVjir7xgcwLe8RBWgWIT
QEOZBlGxt8OtDu49Z4CmRvqhtSJpkqVcce6Vzt4HUTAgabmqxfuZQTu5fCNUeuZm
v8gWwkuJF/VCEnJf6ZjeT04znTXH3Pru
-----END PUBLIC KEY-----
"""
}
