// Command credential-add is the Lambda function of the portal route "credential-add".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("credential-add") }
