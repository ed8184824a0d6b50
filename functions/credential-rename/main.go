// Command credential-rename is the Lambda function of the portal route "credential-rename".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("credential-rename") }
