// Command invitation-get is the Lambda function of the portal route "invitation-get".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("invitation-get") }
