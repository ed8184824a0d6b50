// Command invitation-accept is the Lambda function of the portal route "invitation-accept".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("invitation-accept") }
