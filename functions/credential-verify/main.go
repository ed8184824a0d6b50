// Command credential-verify is the Lambda function of the portal route "credential-verify".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("credential-verify") }
